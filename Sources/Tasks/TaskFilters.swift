import Foundation
import Jinja

/// The filters task templates have beside jinja2's built-in ones, registered on the Jinja
/// environment task templates render in (`TemplateEnvironment.lmEvaluationHarness`).
///
/// - `after("S")`: the text after the first `S`; `after_last("S")`: after the last `S`;
///   `before("S")`: before the first `S`; `through("S")`: up to and including the first `S`.
///   Each fails when `S` does not occur, so that a malformed record is reported instead of
///   silently rendered.
/// - `letter`: 0 → `A`, 1 → `B`, ... 25 → `Z`.
/// - `last_boxed`: the content of the last `\boxed{...}`; fails when there is none.
enum TaskFilters {
    static let environment: TemplateEnvironment = {
        var environment = TemplateEnvironment.lmEvaluationHarness
        environment.filters = [
            "after": { try cut($0, $1, "after") },
            "after_last": { try cut($0, $1, "after_last") },
            "before": { try cut($0, $1, "before") },
            "through": { try cut($0, $1, "through") },
            "letter": letter,
            "last_boxed": lastBoxed,
        ]
        return environment
    }()

    /// The filtered value as text: strings, numbers and booleans as Python prints them.
    static func text(_ value: Value, _ filter: String) throws -> String {
        switch value {
        case .string, .int, .double, .bool: return value.pythonStr
        default: throw JinjaError(.type, "filter '\(filter)' needs text, got \(value.pythonRepr)")
        }
    }

    static func cut(_ value: Value, _ arguments: Arguments, _ name: String) throws -> Value {
        guard arguments.positional.count == 1, arguments.keyword.isEmpty, case let .string(separator) = arguments.positional[0] else {
            throw JinjaError(.type, "filter '\(name)' takes one string argument (\(name)(\"####\"))")
        }
        let text = try text(value, name)
        let found = name == "after_last" ? text.range(of: separator, options: [.backwards, .literal]) : text.range(of: separator, options: .literal)
        guard let range = found else {
            throw JinjaError(.value, "filter '\(name)': \(PromptTemplate.quote(separator)) does not occur in \(PromptTemplate.quote(text))")
        }
        switch name {
        case "before": return .string(String(text[..<range.lowerBound]))
        case "through": return .string(String(text[..<range.upperBound]))
        default: return .string(String(text[range.upperBound...]))
        }
    }

    static let letter: FilterFunction = { value, arguments in
        guard arguments.positional.isEmpty, arguments.keyword.isEmpty else { throw JinjaError(.type, "filter 'letter' takes no arguments") }
        var index: Int?
        switch value {
        case let .int(number): index = number
        case let .string(text): index = Int(text.trimmingCharacters(in: .whitespaces))
        default: break
        }
        guard let index, index >= 0, index < 26 else { throw JinjaError(.value, "filter 'letter' needs an integer 0-25, got \(value.pythonRepr)") }
        return .string(String(UnicodeScalar(UInt8(65 + index))))
    }

    static let lastBoxed: FilterFunction = { value, arguments in
        guard arguments.positional.isEmpty, arguments.keyword.isEmpty else { throw JinjaError(.type, "filter 'last_boxed' takes no arguments") }
        guard let boxed = MathAnswerExtraction.lastBoxed(in: try text(value, "last_boxed")) else {
            throw JinjaError(.value, "filter 'last_boxed': the text has no \\boxed{...}")
        }
        return .string(boxed)
    }
}
