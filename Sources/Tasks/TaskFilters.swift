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
/// - `regex_replace("PATTERN", "REPL", count=0)`: lm-evaluation-harness's one filter of its own
///   (Python's `re.sub`): `\1`, `\g<1>` and `\g<name>` in `REPL` name groups, `(?P<name>...)`
///   names one. The pattern runs on ICU's regular expressions (NSRegularExpression), which agree
///   with Python's `re` on the syntax task files use (classes, groups, anchors, lazy and
///   possessive-free quantifiers), not on every corner.
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
            "regex_replace": regexReplace,
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

    static let regexReplace: FilterFunction = { value, arguments in
        guard case let .string(pattern)? = arguments.value(0, "pattern"), case let .string(replacement)? = arguments.value(1, "repl") else {
            throw JinjaError(.type, "filter 'regex_replace' takes a pattern and a replacement (regex_replace(\"\\\\s+\", \" \"))")
        }
        var count = 0
        if let limit = arguments.value(2, "count") {
            guard case let .int(number) = limit, number >= 0 else { throw JinjaError(.type, "regex_replace's count must be a non-negative integer") }
            count = number
        }
        let text = try text(value, "regex_replace")
        let regex: NSRegularExpression
        do {
            regex = try NSRegularExpression(pattern: pattern.replacingOccurrences(of: "(?P<", with: "(?<").replacingOccurrences(of: "(?P=", with: "\\k<"))
        } catch {
            throw JinjaError(.value, "regex_replace: invalid regular expression \(PromptTemplate.quote(pattern))")
        }
        let template = try icuTemplate(python: replacement, groups: namedGroups(in: pattern))
        let source = text as NSString
        var out = ""
        var position = 0
        for (offset, match) in regex.matches(in: text, range: NSRange(location: 0, length: source.length)).enumerated() {
            if count > 0 && offset >= count { break }
            out += source.substring(with: NSRange(location: position, length: match.range.location - position))
            out += regex.replacementString(for: match, in: text, offset: 0, template: template)
            position = match.range.location + match.range.length
        }
        return .string(out + source.substring(from: position))
    }

    /// The number of each named group of `pattern` (`(?P<name>...)` or `(?<name>...)`), counting
    /// capture groups from the left as Python does.
    static func namedGroups(in pattern: String) -> [String: Int] {
        var names: [String: Int] = [:]
        var count = 0
        var inClass = false
        let characters = Array(pattern)
        var i = 0
        while i < characters.count {
            let c = characters[i]
            if c == "\\" { i += 2; continue }
            if inClass { if c == "]" { inClass = false }; i += 1; continue }
            if c == "[" { inClass = true; i += 1; continue }
            if c == "(" {
                let rest = String(characters[(i + 1)...].prefix(3))
                if !rest.hasPrefix("?") {
                    count += 1
                } else if rest.hasPrefix("?P<") || (rest.hasPrefix("?<") && !rest.hasPrefix("?<=") && !rest.hasPrefix("?<!")) {
                    count += 1
                    let start = i + (rest.hasPrefix("?P<") ? 4 : 3)
                    if let end = characters[start...].firstIndex(of: ">") { names[String(characters[start..<end])] = count }
                }
            }
            i += 1
        }
        return names
    }

    /// A Python `re.sub` replacement as an NSRegularExpression template: `\1`, `\g<1>` and
    /// `\g<name>` (by `groups`) become `$1`, Python's escapes (`\n`, `\t`, `\\`) their characters,
    /// and a literal `$` is escaped.
    static func icuTemplate(python replacement: String, groups: [String: Int]) throws -> String {
        var out = ""
        var characters = Array(replacement)[...]
        while let character = characters.popFirst() {
            switch character {
            case "$": out += "\\$"
            case "\\":
                guard let next = characters.popFirst() else { throw JinjaError(.value, "regex_replace: bad escape (end of pattern)") }
                switch next {
                case "n": out += "\n"
                case "t": out += "\t"
                case "r": out += "\r"
                case "\\": out += "\\\\"
                case "g":
                    guard characters.popFirst() == "<", let close = characters.firstIndex(of: ">") else {
                        throw JinjaError(.value, "regex_replace: missing group name after \\g")
                    }
                    let name = String(characters[..<close])
                    characters = characters[characters.index(after: close)...]
                    guard let number = Int(name) ?? groups[name] else { throw JinjaError(.value, "regex_replace: unknown group name '\(name)'") }
                    out += "$\(number)"
                case let digit where digit.isASCII && digit.isNumber:
                    var number = String(digit)
                    if let second = characters.first, second.isASCII, second.isNumber { number.append(second); characters.removeFirst() }
                    out += "$\(number)"
                default:
                    throw JinjaError(.value, "regex_replace: bad escape \\\(next) in the replacement")
                }
            default:
                out.append(character)
            }
        }
        return out
    }
}
