import Foundation

/// A compiled Jinja template, rendered with jinja2's semantics as transformers configures them
/// (`trim_blocks`, `lstrip_blocks`, the loop controls, `{% generation %}`, an immutable sandbox).
///
/// ```swift
/// let template = try Template("{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}")
/// let text = try template.render(["messages": .list([.dict(Dict([("role", "user"), ("content", "Hi")]))])])
/// ```
///
/// The sandbox: a template reads only the values it is given and the globals of its environment;
/// it cannot reach the host, mutate its inputs (only `namespace` objects are writable), or touch an
/// attribute whose name starts with `_`. Rendering is bounded by `RenderLimits`, so a hostile
/// template fails with `JinjaError.Kind.limit` instead of hanging or filling memory.
public struct Template: Sendable {
    let body: [Statement]
    public let source: String

    public init(_ source: String) throws {
        self.source = source
        body = try Parser.parse(try Lexer.tokenize(source))
    }

    /// The text for `context` (names the template reads; they shadow `globals`).
    public func render(_ context: [String: Value], globals: [String: Value] = Template.standardGlobals,
                       limits: RenderLimits = .default) throws -> String {
        let interpreter = Interpreter(globals: globals.merging(context) { _, new in new }, limits: limits)
        return try interpreter.render(body)
    }

    /// jinja2's default globals that chat templates use: `range`, `dict`, `namespace`.
    public static let standardGlobals: [String: Value] = [
        "range": .callable(Callable(name: "range", body: Globals.range)),
        "dict": .callable(Callable(name: "dict", body: Globals.dict)),
        "namespace": .callable(Callable(name: "namespace", body: Globals.namespace)),
    ]
}

/// Bounds on one render. Every bound is counted, not timed, so the same template fails the same
/// way on every machine; `deadline` is a last resort for work the counts do not see.
public struct RenderLimits: Sendable {
    /// Loop iterations and macro calls together.
    public var steps: Int
    /// Characters written, counting text that macros and `set` blocks produce and discard.
    public var outputBytes: Int
    /// Nested macro calls and recursive loops.
    public var callDepth: Int
    /// Seconds a render may take.
    public var seconds: Double

    public init(steps: Int, outputBytes: Int, callDepth: Int, seconds: Double) {
        self.steps = steps
        self.outputBytes = outputBytes
        self.callDepth = callDepth
        self.seconds = seconds
    }

    /// 200,000 steps, 16 MiB of text, 100 nested calls, 10 seconds: far above any chat
    /// template's needs (a 1,000-turn conversation with tools takes a few thousand steps and
    /// renders well under a megabyte), and low enough that a hostile template fails in a
    /// fraction of a second.
    public static let `default` = RenderLimits(steps: 200_000, outputBytes: 16 << 20, callDepth: 100, seconds: 10)
}
