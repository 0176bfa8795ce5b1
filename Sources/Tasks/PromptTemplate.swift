import Foundation
import Harness
import Jinja
import TextEscaping

/// A template of a task file (`prompt`, `target`, `id`, `choices`, `gold`, ...): Jinja, rendered
/// by the project's Jinja interpreter as lm-evaluation-harness renders `doc_to_text`,
/// `doc_to_target` and `doc_to_choice` (`TemplateEnvironment.lmEvaluationHarness`: no block
/// trimming, a final newline kept, undefined names raise), with the record's fields as names:
/// `{{ question }}`, `{{ choices[0] }}`, `{{ meta.source | upper }}`,
/// `{{ answer | after_last("####") | trim }}`.
///
/// Besides jinja2's built-in filters (`trim`, `lower`, `upper`, `replace`, `join`, ...) a task
/// template has `TaskFilters`: `after`, `after_last`, `before`, `through`, `letter`, `last_boxed`
/// and lm-evaluation-harness's `regex_replace`.
///
/// A template that is one `{{ expression }}` also gives a value, not only text (`choices` and
/// `gold` read lists and integers this way); a bare name (`choices`) is read as `{{ choices }}`.
public struct PromptTemplate: Hashable, Sendable, CustomStringConvertible {
    /// The template as written in the task file.
    public let source: String
    let compiled: Jinja.Template

    public var description: String { source }

    /// Parses `source`. - Throws: `TemplateSyntaxError` naming the problem (an unknown filter
    /// with a did-you-mean, or Jinja's syntax error with its line and column in the template).
    public init(_ source: String) throws(TemplateSyntaxError) {
        self.source = source
        do {
            compiled = try Jinja.Template(source, environment: TaskFilters.environment)
        } catch {
            throw TemplateSyntaxError(message: "\(error)")
        }
        let known = Jinja.Template.builtinFilterNames.union(TaskFilters.environment.filters.keys)
        if let unknown = compiled.filterNames.subtracting(known).sorted().first {
            let hint = TaskError.hint(Suggestions.closest(to: unknown, in: known.sorted()))
            throw TemplateSyntaxError(message: "unknown template filter '\(unknown)'\(hint)")
        }
    }

    /// An expression written bare (`choices`, `gold`) or as a template (`{{ choices.text }}`).
    init(expression text: String) throws(TemplateSyntaxError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.contains("{{") || trimmed.contains("{%") {
            try self.init(trimmed)
        } else {
            self.init(source: trimmed, compiled: try PromptTemplate("{{ \(trimmed) }}").compiled)
        }
        guard compiled.isSoleExpression else {
            throw TemplateSyntaxError(message: "expected one expression ('choices' or '{{ choices }}'), got the template \(Self.quote(source))")
        }
    }

    private init(source: String, compiled: Jinja.Template) {
        self.source = source
        self.compiled = compiled
    }

    public static func == (a: PromptTemplate, b: PromptTemplate) -> Bool { a.source == b.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }

    /// Renders against `record`. - Throws: `TemplateEvalError`.
    func render(_ record: JSONValue) throws(TemplateEvalError) -> String {
        let context = try Self.context(record)
        do {
            return try compiled.render(context)
        } catch {
            throw Self.evalError(error, record)
        }
    }

    /// The value of a one-expression template against `record`. - Throws: `TemplateEvalError`.
    func value(_ record: JSONValue) throws(TemplateEvalError) -> Jinja.Value {
        let context = try Self.context(record)
        do {
            guard let value = try compiled.value(context) else {
                throw TemplateEvalError.failed("\(Self.quote(source)) is not one expression")
            }
            return value
        } catch let error as TemplateEvalError {
            throw error
        } catch {
            throw Self.evalError(error, record)
        }
    }

    static func quote(_ text: String) -> String {
        var out = ""
        JSONEscapes.appendQuoted(text, to: &out)
        return out
    }

    // MARK: - Records as Jinja values

    static func context(_ record: JSONValue) throws(TemplateEvalError) -> [String: Jinja.Value] {
        guard case let .object(members) = record else { throw .failed("the record is \(record.kindName), not an object") }
        return Dictionary(members.map { ($0.key, $0.value.jinjaValue) }, uniquingKeysWith: { $1 })
    }

    /// A Jinja error as a `TemplateEvalError`: an undefined top-level name is a missing field
    /// (with the record's keys for did-you-mean); anything else keeps Jinja's words and place.
    static func evalError(_ error: any Error, _ record: JSONValue) -> TemplateEvalError {
        guard let jinja = error as? JinjaError else { return .failed("\(error)") }
        if jinja.kind == .undefined, jinja.message.hasPrefix("'"), jinja.message.hasSuffix("' is undefined"),
           case let .object(members) = record {
            let name = String(jinja.message.dropFirst().dropLast("' is undefined".count))
            return .missingField(name, available: members.keys.sorted())
        }
        return .failed("\(jinja)")
    }
}

/// A template or expression that does not parse.
public struct TemplateSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Why a template could not be rendered for a record.
enum TemplateEvalError: Error {
    /// `field` is absent from the record; `available` are the keys present.
    case missingField(String, available: [String])
    case failed(String)
}

extension Jinja.Value {
    /// The items of a list or tuple; nil for anything else.
    var listItems: [Jinja.Value]? {
        switch self {
        case let .list(items), let .tuple(items): return items
        default: return nil
        }
    }

    /// What the value is, for messages.
    var kindName: String {
        switch self {
        case .undefined: return "undefined"
        case .none: return "None"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .list, .tuple: return "a list"
        case .dict: return "a dict"
        default: return pythonRepr
        }
    }

    /// The value as a choice's text: strings, numbers and booleans as Python prints them; None,
    /// lists and dicts are errors naming `expression`.
    func renderedText(for expression: String) throws(TemplateEvalError) -> String {
        switch self {
        case .string(let text): return text
        case .int, .double, .bool: return pythonStr
        default: throw .failed("'\(expression)' gives an item that is \(kindName), not text")
        }
    }
}
