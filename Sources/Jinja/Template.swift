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
    public let environment: TemplateEnvironment

    public init(_ source: String, environment: TemplateEnvironment = .transformers) throws {
        self.source = source
        self.environment = environment
        body = try Parser.parse(try Lexer.tokenize(source, trimBlocks: environment.trimBlocks, lstripBlocks: environment.lstripBlocks,
                                                   keepTrailingNewline: environment.keepTrailingNewline))
    }

    /// The text for `context` (names the template reads; they shadow `globals`).
    public func render(_ context: [String: Value], globals: [String: Value] = Template.standardGlobals,
                       limits: RenderLimits = .default) throws -> String {
        try interpreter(context, globals: globals, limits: limits).render(body)
    }

    /// The value of a template that is one `{{ expression }}` and nothing else (`{{ choices }}`
    /// gives the list itself, as lm-evaluation-harness's `doc_to_choice` reads it); nil for any
    /// other template. Under `strictUndefined` an undefined value raises.
    public func value(_ context: [String: Value], globals: [String: Value] = Template.standardGlobals,
                      limits: RenderLimits = .default) throws -> Value? {
        guard body.count == 1, case .output(let expression) = body[0] else { return nil }
        return try interpreter(context, globals: globals, limits: limits).evaluateOutput(expression)
    }

    /// Whether the template is one `{{ expression }}` and nothing else (see `value`).
    public var isSoleExpression: Bool {
        guard body.count == 1, case .output = body[0] else { return false }
        return true
    }

    /// The names of the filters the template applies anywhere (macros and untaken branches too),
    /// so that a caller can reject an unknown one before rendering, as jinja2 does when it compiles.
    public var filterNames: Set<String> { NameUsage(body, enteringMacros: true).filters }

    /// jinja2's built-in filters that this interpreter implements.
    public static var builtinFilterNames: Set<String> { Filters.names }

    private func interpreter(_ context: [String: Value], globals: [String: Value], limits: RenderLimits) -> Interpreter {
        Interpreter(globals: globals.merging(context) { _, new in new }, limits: limits, environment: environment)
    }

    /// jinja2's default globals that chat templates use: `range`, `dict`, `namespace`.
    public static let standardGlobals: [String: Value] = [
        "range": .callable(Callable(name: "range", body: Globals.range)),
        "dict": .callable(Callable(name: "dict", body: Globals.dict)),
        "namespace": .callable(Callable(name: "namespace", body: Globals.namespace)),
    ]
}

/// A filter the host adds to an environment (jinja2's `env.filters[name] = f`): it gets the
/// filtered value and the call's arguments (`{{ x | after("####") }}` passes `"####"`).
public typealias FilterFunction = @Sendable (Value, Arguments) throws -> Value

/// jinja2's `Environment` options that change how a template reads and renders.
public struct TemplateEnvironment: Sendable {
    /// The first newline after a block tag goes.
    public var trimBlocks: Bool
    /// Spaces and tabs before a block tag on its own line go.
    public var lstripBlocks: Bool
    /// A final newline of the source stays in the output.
    public var keepTrailingNewline: Bool
    /// `StrictUndefined`: printing, iterating or filtering an undefined value raises its
    /// `UndefinedError` instead of giving `""` (`default`, `is defined` still work).
    public var strictUndefined: Bool
    /// Filters beside the built-in ones (a built-in of the same name wins).
    public var filters: [String: FilterFunction]

    public init(trimBlocks: Bool, lstripBlocks: Bool, keepTrailingNewline: Bool, strictUndefined: Bool,
                filters: [String: FilterFunction] = [:]) {
        self.trimBlocks = trimBlocks
        self.lstripBlocks = lstripBlocks
        self.keepTrailingNewline = keepTrailingNewline
        self.strictUndefined = strictUndefined
        self.filters = filters
    }

    /// As transformers renders chat templates: `trim_blocks`, `lstrip_blocks`, a final newline
    /// dropped, lenient undefined values.
    public static let transformers = TemplateEnvironment(trimBlocks: true, lstripBlocks: true, keepTrailingNewline: false, strictUndefined: false)

    /// As lm-evaluation-harness renders `doc_to_text`, `doc_to_target` and `doc_to_choice`
    /// (`Environment(undefined=StrictUndefined, keep_trailing_newline=True)`): no block
    /// trimming, the source's final newline kept, undefined names raise.
    public static let lmEvaluationHarness = TemplateEnvironment(trimBlocks: false, lstripBlocks: false, keepTrailingNewline: true, strictUndefined: true)
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
