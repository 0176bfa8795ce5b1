import Foundation

/// A pattern that finds split points in text, as `Split`, `ByteLevel` and `Replace` use it.
///
/// The GPT-2, Llama 3 and Qwen2 pre-tokenizer regexes are recognised and run by a hand-written
/// scanner over Unicode scalars that reproduces Oniguruma's leftmost-first backtracking result
/// exactly; any other regex runs through `NSRegularExpression` (ICU), and a `String` pattern is
/// matched literally.
enum SplitPattern: Sendable {
    /// A literal string.
    case literal([Unicode.Scalar])
    /// One of the well-known pre-tokenizer regexes.
    case known(KnownRegex)
    /// Any other regex.
    case regex(RegexBox)

    /// GPT-2's pre-tokenizer regex, also built into the `ByteLevel` pre-tokenizer.
    static let gpt2Regex = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    /// Llama 3's pre-tokenizer regex.
    static let llama3Regex =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    /// Qwen2's pre-tokenizer regex (Llama 3's with single digits).
    static let qwen2Regex =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// Builds the pattern for a regex source, preferring the exact scanners.
    static func fromRegex(_ source: String) throws -> SplitPattern {
        switch source {
        case gpt2Regex: return .known(.gpt2)
        case llama3Regex: return .known(.llama3(maxDigits: 3))
        case qwen2Regex: return .known(.llama3(maxDigits: 1))
        default: return .regex(try RegexBox(source))
        }
    }

    /// The non-overlapping matches in `text`, left to right, as scalar index ranges.
    func matches(in text: [Unicode.Scalar]) -> [Range<Int>] {
        switch self {
        case .literal(let needle): return Self.literalMatches(of: needle, in: text)
        case .known(let known): return known.matches(in: text)
        case .regex(let box): return box.matches(in: text)
        }
    }

    private static func literalMatches(of needle: [Unicode.Scalar], in text: [Unicode.Scalar]) -> [Range<Int>] {
        guard !needle.isEmpty, text.count >= needle.count else { return [] }
        var result: [Range<Int>] = []
        var i = 0
        let first = needle[0]
        while i + needle.count <= text.count {
            if text[i] == first {
                var j = 1
                while j < needle.count && text[i + j] == needle[j] { j += 1 }
                if j == needle.count {
                    result.append(i..<(i + needle.count))
                    i += needle.count
                    continue
                }
            }
            i += 1
        }
        return result
    }
}

/// The well-known pre-tokenizer regexes, run by hand-written scanners.
enum KnownRegex: Sendable, Equatable {
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    case gpt2
    /// Llama 3's pattern (`maxDigits` 3) or Qwen2's (`maxDigits` 1).
    case llama3(maxDigits: Int)

    func matches(in s: [Unicode.Scalar]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        result.reserveCapacity(s.count / 3 + 1)
        var i = 0
        let n = s.count
        while i < n {
            let end: Int
            switch self {
            case .gpt2: end = Self.gpt2Match(s, i, n)
            case .llama3(let maxDigits): end = Self.llama3Match(s, i, n, maxDigits)
            }
            if end > i {
                result.append(i..<end)
                i = end
            } else {
                i += 1
            }
        }
        return result
    }

    @inline(__always)
    private static func isOther(_ c: Unicode.Scalar) -> Bool {
        !UnicodeClasses.isWhitespace(c) && !UnicodeClasses.isLetter(c) && !UnicodeClasses.isNumber(c)
    }

    /// Length of a contraction at `i` (`'s`, `'t`, `'re`, `'ve`, `'m`, `'ll`, `'d`), or 0.
    @inline(__always)
    private static func contraction(_ s: [Unicode.Scalar], _ i: Int, _ n: Int, caseInsensitive: Bool) -> Int {
        guard s[i] == "'", i + 1 < n else { return 0 }
        func lower(_ c: Unicode.Scalar) -> Unicode.Scalar {
            guard caseInsensitive else { return c }
            if c.value >= 0x41 && c.value <= 0x5A { return Unicode.Scalar(c.value + 32)! }
            if c == "\u{017F}" { return "s" }  // LATIN SMALL LETTER LONG S case-folds to "s"
            return c
        }
        let a = lower(s[i + 1])
        if a == "s" || a == "t" || a == "m" || a == "d" { return 2 }
        if i + 2 < n {
            let b = lower(s[i + 2])
            if (a == "r" && b == "e") || (a == "v" && b == "e") || (a == "l" && b == "l") { return 3 }
        }
        return 0
    }

    @inline(__always)
    private static func run(_ s: [Unicode.Scalar], from start: Int, _ n: Int, _ test: (Unicode.Scalar) -> Bool) -> Int {
        var j = start
        while j < n && test(s[j]) { j += 1 }
        return j
    }

    /// `\s+(?!\S)|\s+` at `i`, where `s[i]` is whitespace.
    @inline(__always)
    private static func whitespaceTail(_ s: [Unicode.Scalar], _ i: Int, _ n: Int) -> Int {
        let j = run(s, from: i, n, UnicodeClasses.isWhitespace)
        if j == n { return j }
        if j - 1 > i { return j - 1 }
        return j
    }

    private static func gpt2Match(_ s: [Unicode.Scalar], _ i: Int, _ n: Int) -> Int {
        let c = s[i]
        let k = contraction(s, i, n, caseInsensitive: false)
        if k > 0 { return i + k }
        let hasSpace = c == " " && i + 1 < n
        let next = hasSpace ? s[i + 1] : c
        let start = hasSpace ? i + 1 : i
        if UnicodeClasses.isLetter(next) { return run(s, from: start, n, UnicodeClasses.isLetter) }
        if UnicodeClasses.isLetter(c) { return run(s, from: i, n, UnicodeClasses.isLetter) }
        if UnicodeClasses.isNumber(next) { return run(s, from: start, n, UnicodeClasses.isNumber) }
        if UnicodeClasses.isNumber(c) { return run(s, from: i, n, UnicodeClasses.isNumber) }
        if isOther(next) { return run(s, from: start, n, isOther) }
        if isOther(c) { return run(s, from: i, n, isOther) }
        if UnicodeClasses.isWhitespace(c) { return whitespaceTail(s, i, n) }
        return i
    }

    private static func llama3Match(_ s: [Unicode.Scalar], _ i: Int, _ n: Int, _ maxDigits: Int) -> Int {
        let c = s[i]
        let k = contraction(s, i, n, caseInsensitive: true)
        if k > 0 { return i + k }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if UnicodeClasses.isLetter(c) { return run(s, from: i, n, UnicodeClasses.isLetter) }
        if c != "\r" && c != "\n" && !UnicodeClasses.isNumber(c) && i + 1 < n && UnicodeClasses.isLetter(s[i + 1]) {
            return run(s, from: i + 1, n, UnicodeClasses.isLetter)
        }
        // \p{N}{1,maxDigits}
        if UnicodeClasses.isNumber(c) {
            var j = i
            while j < n && j - i < maxDigits && UnicodeClasses.isNumber(s[j]) { j += 1 }
            return j
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        var start = -1
        if c == " " && i + 1 < n && isOther(s[i + 1]) { start = i + 1 } else if isOther(c) { start = i }
        if start >= 0 {
            let j = run(s, from: start, n, isOther)
            return run(s, from: j, n) { $0 == "\r" || $0 == "\n" }
        }
        guard UnicodeClasses.isWhitespace(c) else { return i }
        // \s*[\r\n]+ : up to the last newline in the whitespace run.
        let j = run(s, from: i, n, UnicodeClasses.isWhitespace)
        var last = j - 1
        while last >= i && s[last] != "\r" && s[last] != "\n" { last -= 1 }
        if last >= i { return last + 1 }
        // \s+(?!\S)|\s+
        return whitespaceTail(s, i, n)
    }
}

/// An `NSRegularExpression` shared between threads (calls are serialized by a lock).
final class RegexBox: @unchecked Sendable {
    let source: String
    private let regex: NSRegularExpression
    private let lock = NSLock()

    init(_ source: String) throws {
        self.source = source
        self.regex = try NSRegularExpression(pattern: source, options: [])
    }

    /// Non-empty matches as scalar index ranges.
    func matches(in scalars: [Unicode.Scalar]) -> [Range<Int>] {
        let text = String(scalars: scalars)
        // Map UTF-16 offsets to scalar indices.
        var utf16ToScalar = [Int](repeating: 0, count: text.utf16.count + 1)
        var offset = 0
        for (index, scalar) in scalars.enumerated() {
            let width = scalar.value > 0xFFFF ? 2 : 1
            for k in 0..<width { utf16ToScalar[offset + k] = index }
            offset += width
        }
        utf16ToScalar[offset] = scalars.count
        let range = NSRange(location: 0, length: offset)
        lock.lock()
        let found = regex.matches(in: text, options: [], range: range)
        lock.unlock()
        var result: [Range<Int>] = []
        for match in found where match.range.length > 0 {
            let lower = utf16ToScalar[match.range.location]
            let upper = utf16ToScalar[match.range.location + match.range.length]
            result.append(lower..<upper)
        }
        return result
    }

    /// Replaces every match with `replacement` (taken literally).
    func replace(in scalars: [Unicode.Scalar], with replacement: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        var last = 0
        for range in matches(in: scalars) {
            out.append(contentsOf: scalars[last..<range.lowerBound])
            out.append(contentsOf: replacement)
            last = range.upperBound
        }
        out.append(contentsOf: scalars[last...])
        return out
    }
}
