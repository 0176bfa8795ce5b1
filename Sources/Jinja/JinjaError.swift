/// An error while compiling or rendering a template.
///
/// `kind` is jinja2's exception class (`TemplateSyntaxError`, `UndefinedError`, `TypeError`,
/// `TemplateError` from `raise_exception`, `SecurityError`), `message` its text, worded as jinja2
/// words it where the two can meet; `line` and `column` (1-based) locate the construct in the
/// template's source.
public struct JinjaError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        case syntax = "TemplateSyntaxError"
        case undefined = "UndefinedError"
        case type = "TypeError"
        case value = "ValueError"
        case raised = "TemplateError"
        case runtime = "TemplateRuntimeError"
        case zeroDivision = "ZeroDivisionError"
        case overflow = "OverflowError"
        case security = "SecurityError"
        /// A bound of `RenderLimits` was reached.
        case limit = "LimitExceeded"
    }

    public var kind: Kind
    public var message: String
    public var line: Int?
    public var column: Int?

    public init(_ kind: Kind, _ message: String, line: Int? = nil, column: Int? = nil) {
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String {
        guard let line else { return "\(kind.rawValue): \(message)" }
        return "\(kind.rawValue) at line \(line), column \(column ?? 1): \(message)"
    }

    static func type(_ message: String) -> JinjaError { JinjaError(.type, message) }
    static func undefined(_ undefined: Undefined) -> JinjaError { JinjaError(.undefined, undefined.message) }

    /// The same error, located at `location` unless it already has a place.
    func located(_ location: SourceLocation) -> JinjaError {
        guard line == nil else { return self }
        var copy = self
        copy.line = location.line
        copy.column = location.column
        return copy
    }
}

/// A place in a template's source (1-based).
public struct SourceLocation: Sendable, Equatable {
    public var line: Int
    public var column: Int
}
