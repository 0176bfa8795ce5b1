import Foundation
import Harness

/// A prompt template: literal text with `{{ expression }}` holes.
///
/// Expression grammar (a small Jinja-like subset):
/// - a field path: `question`, `choices[0]`, `choices[-1]`, `meta.source`, `meta["odd key"]`;
///   or a literal: `"text"` (escapes `\n`, `\t`, `\"`, `\\`) or an integer;
/// - followed by filters: `{{ answer | after: "####" | trim }}`.
///
/// Filters: `trim`, `lower`, `upper`, `after: S` (text after the first `S`), `after_last: S`,
/// `before: S` (text before the first `S`), `through: S` (text up to and including the first `S`),
/// `replace: A, B`, `join: SEP` (a list's items joined), `letter` (0 → `A`, 1 → `B`, …),
/// `last_boxed` (the content of the last `\boxed{...}`; fails when there is none).
/// `after`, `after_last`, `before` and `through` fail when `S` is absent, so that a malformed
/// record is reported instead of silently rendered.
/// A literal `{{` is written `{{ "{{" }}`.
public struct Template: Hashable, Sendable, CustomStringConvertible {
    enum Part: Hashable, Sendable {
        case text(String)
        case expression(TemplateExpression)
    }

    let parts: [Part]
    /// The template as written.
    public let source: String

    public var description: String { source }

    /// Parses `source`. - Throws: `TemplateSyntaxError` with a message naming the problem.
    public init(_ source: String) throws(TemplateSyntaxError) {
        self.source = source
        var parts: [Part] = []
        var text = ""
        let chars = Array(source)
        var i = 0
        while i < chars.count {
            if chars[i] == "{", i + 1 < chars.count, chars[i + 1] == "{" {
                // Find the closing braces outside string literals.
                var j = i + 2
                var inString = false
                var closed = false
                while j < chars.count {
                    let c = chars[j]
                    if inString {
                        if c == "\\" { j += 2; continue }
                        if c == "\"" { inString = false }
                    } else if c == "\"" {
                        inString = true
                    } else if c == "}", j + 1 < chars.count, chars[j + 1] == "}" {
                        closed = true
                        break
                    }
                    j += 1
                }
                guard closed else { throw TemplateSyntaxError(message: "unclosed '{{' in template \(Self.quote(source))") }
                let inner = String(chars[(i + 2) ..< j])
                if !text.isEmpty { parts.append(.text(text)); text = "" }
                parts.append(.expression(try TemplateExpression(inner)))
                i = j + 2
            } else {
                text.append(chars[i])
                i += 1
            }
        }
        if !text.isEmpty { parts.append(.text(text)) }
        self.parts = parts
    }

    /// If the template is exactly one `{{ expression }}`, that expression.
    var soleExpression: TemplateExpression? {
        if parts.count == 1, case let .expression(e) = parts[0] { return e }
        return nil
    }

    /// The field names the template reads (first path component of each expression).
    var fieldNames: [String] {
        parts.compactMap { if case let .expression(e) = $0 { return e.rootField } else { return nil } }
    }

    /// Renders against `record`. - Throws: `TemplateEvalError`.
    func render(_ record: JSONValue) throws(TemplateEvalError) -> String {
        var out = ""
        for part in parts {
            switch part {
            case let .text(text): out += text
            case let .expression(e): out += try e.evaluate(record).renderedText(for: e.source)
            }
        }
        return out
    }

    static func quote(_ text: String) -> String {
        var out = ""
        JSONValue.writeString(text, into: &out)
        return out
    }
}

/// A template or expression that does not parse.
public struct TemplateSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Why a template could not be rendered for a record.
enum TemplateEvalError: Error {
    /// `field` (a path such as `choices` or `meta.source`) is absent; `available` are the keys present.
    case missingField(String, available: [String])
    case failed(String)
}

/// One `{{ … }}` expression: a field path or literal, then filters.
public struct TemplateExpression: Hashable, Sendable, CustomStringConvertible {
    enum Step: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    enum Base: Hashable, Sendable {
        case path(String, [Step])
        case literal(JSONValue)
    }

    struct Filter: Hashable, Sendable {
        var name: String
        var arguments: [JSONValue]
    }

    static let filterArity: [String: Int] = [
        "trim": 0, "lower": 0, "upper": 0, "letter": 0, "last_boxed": 0,
        "after": 1, "after_last": 1, "before": 1, "through": 1, "join": 1, "replace": 2,
    ]

    let base: Base
    let filters: [Filter]
    /// The expression as written (without braces).
    public let source: String
    public var description: String { source }

    var rootField: String? {
        if case let .path(head, _) = base { return head }
        return nil
    }

    /// Parses an expression (the text between `{{` and `}}`).
    public init(_ source: String) throws(TemplateSyntaxError) {
        self.source = source.trimmingCharacters(in: .whitespaces)
        var lexer = Lexer(Array(source))
        lexer.skipSpaces()
        guard !lexer.atEnd else { throw TemplateSyntaxError(message: "empty '{{ }}' in template") }
        // Base.
        if lexer.peek == "\"" {
            base = .literal(.string(try lexer.stringLiteral()))
        } else if let c = lexer.peek, c == "-" || c.isNumber {
            base = .literal(.number(String(try lexer.integer())))
        } else {
            let head = try lexer.identifier(what: "a field name")
            var steps: [Step] = []
            while true {
                if lexer.peek == "." {
                    lexer.advance()
                    steps.append(.key(try lexer.identifier(what: "a field name after '.'")))
                } else if lexer.peek == "[" {
                    lexer.advance()
                    lexer.skipSpaces()
                    if lexer.peek == "\"" {
                        steps.append(.key(try lexer.stringLiteral()))
                    } else {
                        steps.append(.index(try lexer.integer()))
                    }
                    lexer.skipSpaces()
                    guard lexer.peek == "]" else { throw TemplateSyntaxError(message: "expected ']' in '\(source)'") }
                    lexer.advance()
                } else {
                    break
                }
            }
            base = .path(head, steps)
        }
        // Filters.
        var filters: [Filter] = []
        lexer.skipSpaces()
        while lexer.peek == "|" {
            lexer.advance()
            lexer.skipSpaces()
            let name = try lexer.identifier(what: "a filter name after '|'")
            guard let arity = Self.filterArity[name] else {
                let hint = TaskError.hint(Suggestions.closest(to: name, in: Array(Self.filterArity.keys)))
                throw TemplateSyntaxError(message: "unknown template filter '\(name)'\(hint)")
            }
            var arguments: [JSONValue] = []
            lexer.skipSpaces()
            if lexer.peek == ":" {
                lexer.advance()
                repeat {
                    lexer.skipSpaces()
                    if lexer.peek == "\"" {
                        arguments.append(.string(try lexer.stringLiteral()))
                    } else {
                        arguments.append(.number(String(try lexer.integer())))
                    }
                    lexer.skipSpaces()
                } while lexer.consume(",")
            }
            guard arguments.count == arity else {
                throw TemplateSyntaxError(message: "template filter '\(name)' takes \(arity) argument\(arity == 1 ? "" : "s"), got \(arguments.count) in '\(source)'")
            }
            filters.append(Filter(name: name, arguments: arguments))
            lexer.skipSpaces()
        }
        guard lexer.atEnd else {
            throw TemplateSyntaxError(message: "unexpected '\(lexer.rest)' in template expression '\(self.source)'")
        }
        self.filters = filters
    }

    /// Evaluates against `record`.
    func evaluate(_ record: JSONValue) throws(TemplateEvalError) -> JSONValue {
        var value: JSONValue
        switch base {
        case let .literal(literal): value = literal
        case let .path(head, steps):
            guard case let .object(members) = record else { throw .failed("the record is \(record.kindName), not an object") }
            guard let first = members[head] else { throw .missingField(head, available: members.keys.sorted()) }
            value = first
            var path = head
            for step in steps {
                switch step {
                case let .key(key):
                    guard case let .object(inner) = value else { throw .failed("'\(path)' is \(value.kindName), not an object, so '.\(key)' does not apply") }
                    path += ".\(key)"
                    guard let next = inner[key] else { throw .missingField(path, available: inner.keys.sorted()) }
                    value = next
                case let .index(index):
                    guard case let .array(items) = value else { throw .failed("'\(path)' is \(value.kindName), not a list, so '[\(index)]' does not apply") }
                    let resolved = index < 0 ? items.count + index : index
                    guard resolved >= 0, resolved < items.count else { throw .failed("index [\(index)] is out of range: '\(path)' has \(items.count) items") }
                    value = items[resolved]
                    path += "[\(index)]"
                }
            }
        }
        for filter in filters {
            value = try apply(filter, to: value)
        }
        return value
    }

    private func apply(_ filter: Filter, to value: JSONValue) throws(TemplateEvalError) -> JSONValue {
        func argument(_ i: Int) -> String {
            switch filter.arguments[i] {
            case let .string(s): return s
            case let .number(n): return n
            default: return ""
            }
        }
        if filter.name == "join" {
            guard case let .array(items) = value else { throw .failed("filter 'join' needs a list, got \(value.kindName) in '\(source)'") }
            var parts: [String] = []
            for item in items { parts.append(try item.renderedText(for: source)) }
            return .string(parts.joined(separator: argument(0)))
        }
        if filter.name == "letter" {
            guard let n = value.intValue, n >= 0, n < 26 else { throw .failed("filter 'letter' needs an integer 0-25 in '\(source)'") }
            return .string(String(UnicodeScalar(UInt8(65 + n))))
        }
        let text = try value.renderedText(for: source)
        switch filter.name {
        case "trim": return .string(text.trimmingCharacters(in: .whitespacesAndNewlines))
        case "lower": return .string(text.lowercased())
        case "upper": return .string(text.uppercased())
        case "replace": return .string(text.replacingOccurrences(of: argument(0), with: argument(1)))
        case "last_boxed":
            guard let boxed = MathAnswerExtraction.lastBoxed(in: text) else {
                throw .failed("filter 'last_boxed': the text of '\(source)' has no \\boxed{...}")
            }
            return .string(boxed)
        case "after", "after_last", "before", "through":
            let separator = argument(0)
            let found = filter.name == "after_last" ? text.range(of: separator, options: .backwards) : text.range(of: separator)
            guard let range = found else {
                throw .failed("filter '\(filter.name)': \(Template.quote(separator)) does not occur in the text of '\(source)'")
            }
            switch filter.name {
            case "before": return .string(String(text[..<range.lowerBound]))
            case "through": return .string(String(text[..<range.upperBound]))
            default: return .string(String(text[range.upperBound...]))
            }
        default:
            throw .failed("unknown filter '\(filter.name)'")
        }
    }
}

extension JSONValue {
    /// The value as template text; lists, objects and null are errors naming `expression`.
    func renderedText(for expression: String) throws(TemplateEvalError) -> String {
        switch self {
        case let .string(s): return s
        case let .number(n): return n
        case let .bool(b): return b ? "true" : "false"
        case .null: throw .failed("'\(expression)' is null")
        case .array: throw .failed("'\(expression)' is a list; index it ('\(expression)[0]') or join it ('\(expression) | join: \", \"')")
        case .object: throw .failed("'\(expression)' is an object; name one of its fields ('\(expression).name')")
        }
    }
}

/// A character cursor for expressions.
private struct Lexer {
    let chars: [Character]
    var i = 0
    init(_ chars: [Character]) { self.chars = chars }
    var atEnd: Bool { i >= chars.count }
    var peek: Character? { i < chars.count ? chars[i] : nil }
    var rest: String { String(chars[min(i, chars.count)...]) }
    mutating func advance() { i += 1 }
    mutating func skipSpaces() { while let c = peek, c == " " || c == "\t" || c == "\n" { i += 1 } }
    mutating func consume(_ c: Character) -> Bool {
        if peek == c { i += 1; return true }
        return false
    }

    mutating func identifier(what: String) throws(TemplateSyntaxError) -> String {
        var name = ""
        while let c = peek, c.isLetter || c.isNumber || c == "_" || c == "-" {
            if name.isEmpty, c.isNumber || c == "-" { break }
            name.append(c)
            i += 1
        }
        guard !name.isEmpty else {
            throw TemplateSyntaxError(message: "expected \(what) at '\(rest)' in '\(String(chars).trimmingCharacters(in: .whitespaces))'")
        }
        return name
    }

    mutating func integer() throws(TemplateSyntaxError) -> Int {
        var text = ""
        if peek == "-" { text.append("-"); i += 1 }
        while let c = peek, c.isASCII, c.isNumber { text.append(c); i += 1 }
        guard let value = Int(text) else { throw TemplateSyntaxError(message: "expected an integer at '\(rest)'") }
        return value
    }

    mutating func stringLiteral() throws(TemplateSyntaxError) -> String {
        i += 1
        var out = ""
        while let c = peek {
            i += 1
            if c == "\"" { return out }
            if c == "\\" {
                guard let e = peek else { break }
                i += 1
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "\"": out.append("\"")
                case "\\": out.append("\\")
                default: throw TemplateSyntaxError(message: "unknown escape '\\\(e)' in a template string")
                }
            } else {
                out.append(c)
            }
        }
        throw TemplateSyntaxError(message: "unterminated string in template expression")
    }
}
