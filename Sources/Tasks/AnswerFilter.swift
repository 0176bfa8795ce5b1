import Foundation
import Harness

/// One step of answer extraction for `generate_until` tasks. Extractors pick the answer out of
/// free text (and may fail: no match); normalisers rewrite it.
///
/// YAML spellings (items of a metric's `filters:` list):
/// - `regex: PATTERN` with optional `group: N` (default: the first group that took part in the
///   match, as Python's `re.findall` gives lm-eval's regex filter; 0 if the pattern has none)
///   and `select: first|last` (default first): the match's group;
/// - `last_number`: the last number in the text (`-?$?digits[,digits][.digits]`);
/// - `first_number`;
/// - `first_choice_letter` or `first_choice_letter: "ABCDE"`: the first standalone capital letter
///   among those;
/// - `normalize_number`: strips `$`, `,`, a leading `+`, a trailing `.` and a zero fraction
///   (`$1,234.00` → `1234`);
/// - `trim`, `lowercase`, `uppercase`, `collapse_whitespace` (runs of whitespace → one space),
///   `normalize_whitespace` (trim + collapse);
/// - `first_line`: the text before the first line break;
/// - `remove: PATTERN`: every match of the pattern deleted (lm-eval's `regexes_to_ignore`);
/// - `last_boxed`: the content of the last `\boxed{...}` or `\fbox{...}` (balanced braces).
public enum AnswerFilter: Hashable, Sendable {
    case regex(pattern: String, group: Int?, selectLast: Bool)
    case lastNumber
    case firstNumber
    case firstChoiceLetter(letters: String)
    case normalizeNumber
    case trim
    case lowercase
    case uppercase
    case collapseWhitespace
    case normalizeWhitespace
    case firstLine
    case lastBoxed
    case removeMatches(pattern: String)

    /// All scalar spellings, for did-you-mean.
    static let names = ["regex", "last_number", "first_number", "first_choice_letter", "normalize_number", "trim",
                        "lowercase", "uppercase", "collapse_whitespace", "normalize_whitespace", "first_line", "last_boxed"]

    /// Whether the step extracts an answer (and so is applied to the response only) rather than
    /// normalising text (applied to the response and, by default, to the target).
    public var isExtractor: Bool {
        switch self {
        case .regex, .lastNumber, .firstNumber, .firstChoiceLetter, .lastBoxed: return true
        default: return false
        }
    }

    static let numberPattern = #"-?\$?[0-9][0-9,]*(?:\.[0-9]+)?"#

    /// Applies the step; nil when an extractor finds nothing.
    public func apply(_ text: String) -> String? {
        switch self {
        case let .regex(pattern, group, selectLast):
            return Self.match(pattern, in: text, group: group, last: selectLast)
        case .lastNumber:
            return Self.match(Self.numberPattern, in: text, group: 0, last: true)
        case .firstNumber:
            return Self.match(Self.numberPattern, in: text, group: 0, last: false)
        case let .firstChoiceLetter(letters):
            let escaped = NSRegularExpression.escapedPattern(for: letters)
            return Self.match("\\b([\(escaped)])\\b", in: text, group: 1, last: false)
        case .normalizeNumber:
            return Self.normalizeNumber(text)
        case .trim:
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        case .lowercase:
            return text.lowercased()
        case .uppercase:
            return text.uppercased()
        case .collapseWhitespace:
            return Self.collapse(text)
        case .normalizeWhitespace:
            return Self.collapse(text).trimmingCharacters(in: .whitespaces)
        case .firstLine:
            return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        case .lastBoxed:
            return MathAnswerExtraction.lastBoxed(in: text)
        case let .removeMatches(pattern):
            guard let regex = RegexCache.shared.regex(pattern) else { return text }
            return regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "")
        }
    }

    /// Runs `filters` in order; nil as soon as one extractor fails.
    public static func run(_ filters: [AnswerFilter], on text: String) -> String? {
        var current = text
        for filter in filters {
            guard let next = filter.apply(current) else { return nil }
            current = next
        }
        return current
    }

    static func collapse(_ text: String) -> String {
        var out = ""
        var inSpace = false
        for scalar in text.unicodeScalars {
            if CharacterSet.whitespacesAndNewlines.contains(scalar) {
                if !inSpace { out.append(" ") }
                inSpace = true
            } else {
                out.unicodeScalars.append(scalar)
                inSpace = false
            }
        }
        return out
    }

    /// `$1,234.50` → `1234.5`; `18.` → `18`; `+7.00` → `7`; `-0` → `0`. Text that is not a number
    /// after stripping is returned trimmed.
    public static func normalizeNumber(_ text: String) -> String {
        var s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        s = s.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "$", with: "")
        if s.hasPrefix("+") { s.removeFirst() }
        while s.hasSuffix(".") { s.removeLast() }
        if let dot = s.firstIndex(of: ".") {
            let fraction = s[s.index(after: dot)...]
            if !fraction.isEmpty, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) {
                var trimmed = String(fraction)
                while trimmed.hasSuffix("0") { trimmed.removeLast() }
                s = String(s[..<dot]) + (trimmed.isEmpty ? "" : "." + trimmed)
            }
        }
        if s == "-0" { s = "0" }
        return s
    }

    static func match(_ pattern: String, in text: String, group: Int?, last: Bool) -> String? {
        guard let regex = RegexCache.shared.regex(pattern) else { return nil }
        let range = NSRange(text.startIndex..., in: text)
        let matches = regex.matches(in: text, range: range)
        guard let m = last ? matches.last : matches.first else { return nil }
        var g = group ?? (regex.numberOfCaptureGroups > 0 ? 1 : 0)
        if group == nil, regex.numberOfCaptureGroups > 1 {
            g = (1 ... regex.numberOfCaptureGroups).first { m.range(at: $0).location != NSNotFound } ?? 1
        }
        guard g <= regex.numberOfCaptureGroups else { return nil }
        let r = m.range(at: g)
        guard r.location != NSNotFound, let swiftRange = Range(r, in: text) else { return nil }
        return String(text[swiftRange])
    }

    /// Checks that `pattern` compiles; returns the number of capture groups or an error message.
    static func validate(pattern: String) -> Result<Int, TemplateSyntaxError> {
        do {
            let regex = try NSRegularExpression(pattern: pattern)
            return .success(regex.numberOfCaptureGroups)
        } catch {
            return .failure(TemplateSyntaxError(message: "invalid regular expression \(PromptTemplate.quote(pattern))"))
        }
    }

    /// The YAML form, for `tasks show`.
    var configValue: JSONValue {
        switch self {
        case let .regex(pattern, group, selectLast):
            var members: JSONObject = ["regex": .string(pattern), "select": .string(selectLast ? "last" : "first")]
            if let group { members["group"] = .number(String(group)) }
            return .object(members)
        case .lastNumber: return .string("last_number")
        case .firstNumber: return .string("first_number")
        case let .firstChoiceLetter(letters): return .object(["first_choice_letter": .string(letters)])
        case .normalizeNumber: return .string("normalize_number")
        case .trim: return .string("trim")
        case .lowercase: return .string("lowercase")
        case .uppercase: return .string("uppercase")
        case .collapseWhitespace: return .string("collapse_whitespace")
        case .normalizeWhitespace: return .string("normalize_whitespace")
        case .firstLine: return .string("first_line")
        case .lastBoxed: return .string("last_boxed")
        case let .removeMatches(pattern): return .object(["remove": .string(pattern)])
        }
    }
}

/// Compiled regular expressions, shared across threads (NSRegularExpression is immutable and
/// thread-safe once built).
final class RegexCache: @unchecked Sendable {
    static let shared = RegexCache()
    private let lock = NSLock()
    private var cache: [String: NSRegularExpression] = [:]

    func regex(_ pattern: String) -> NSRegularExpression? {
        lock.lock()
        defer { lock.unlock() }
        if let cached = cache[pattern] { return cached }
        guard let compiled = try? NSRegularExpression(pattern: pattern) else { return nil }
        cache[pattern] = compiled
        return compiled
    }
}
