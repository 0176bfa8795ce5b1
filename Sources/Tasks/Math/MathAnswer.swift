/// The shape of a MATH answer after normalisation: one expression, or a structure of them.
public indirect enum MathAnswer: Hashable, Sendable {
    case expression(MathExpression)
    /// A tuple, a point, a vector written `(1,2)`, or an interval `(a, b]`: order matters, and so
    /// do the brackets (an open and a half-open interval differ).
    case ordered([MathAnswer], open: Character, close: Character)
    /// A set `\{1, 2\}` or a bare list of values `1, 2` (the roots of an equation): order does not matter.
    case unordered([MathAnswer])
    /// A union of intervals `(-\infty, 1) \cup (2, \infty)`, in order.
    case union([MathAnswer])
    /// `\begin{pmatrix} a & b \\ c & d \end{pmatrix}`: rows of entries.
    case matrix([[MathAnswer]])
    /// Words (`\text{Monday}`, `(C)`), compared as lowercase text without spaces.
    case text(String)

    /// The structure of the normalised answer `s` (`MathNormalization.normalize`).
    public static func parse(_ s: String) -> MathAnswer {
        let s = s.trimmingCharacters(in: .whitespaces)
        if let matrix = parseMatrix(s) { return matrix }
        let unionParts = splitTopLevel(s, separator: "\\cup")
        if unionParts.count > 1 { return .union(unionParts.map { parse($0) }) }
        if s.hasPrefix("\\{"), s.hasSuffix("\\}"), closesAtEnd(s, openLength: 2) {
            let inner = String(s.dropFirst(2).dropLast(2))
            return .unordered(splitTopLevel(inner, separator: ",").map { parse($0) })
        }
        if let first = s.first, let last = s.last, "([".contains(first), ")]".contains(last), closesAtEnd(s, openLength: 1) {
            let inner = String(s.dropFirst().dropLast())
            let parts = splitTopLevel(inner, separator: ",")
            if parts.count > 1 { return .ordered(parts.map { parse($0) }, open: first, close: last) }
        }
        let parts = splitTopLevel(s, separator: ",")
        if parts.count > 1 { return .unordered(parts.map { parse($0) }) }
        if looksLikeWords(s) { return .text(textKey(s)) }
        if let e = MathExpressionParser.parse(s) { return .expression(e) }
        return .text(textKey(s))
    }

    static func textKey(_ s: String) -> String {
        String(s.lowercased().filter { !$0.isWhitespace && $0 != "(" && $0 != ")" })
    }

    /// Three letters in a row outside a command: a word, not a product of variables.
    static func looksLikeWords(_ s: String) -> Bool {
        var run = 0
        var inCommand = false
        for c in s {
            if c == "\\" { inCommand = true; run = 0; continue }
            if c.isLetter {
                if inCommand { continue }
                run += 1
                if run >= 3 { return true }
            } else {
                inCommand = false
                run = 0
            }
        }
        return false
    }

    static func parseMatrix(_ s: String) -> MathAnswer? {
        for kind in ["pmatrix", "bmatrix", "matrix"] {
            let open = "\\begin{\(kind)}", close = "\\end{\(kind)}"
            guard s.hasPrefix(open), s.hasSuffix(close) else { continue }
            let inner = String(s.dropFirst(open.count).dropLast(close.count))
            let rows = inner.components(separatedBy: "\\\\").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return .matrix(rows.map { row in row.components(separatedBy: "&").map { parse($0) } })
        }
        return nil
    }

    /// Whether the bracket opening `s` (of `openLength` characters) is the one its last character closes.
    static func closesAtEnd(_ s: String, openLength: Int) -> Bool {
        let chars = Array(s)
        var depth = 0
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, chars[i + 1] == "{" || chars[i + 1] == "}" {
                depth += chars[i + 1] == "{" ? 1 : -1
                i += 2
                if depth == 0 && i < chars.count { return false }
                continue
            }
            if "([{".contains(c) { depth += 1 }
            if ")]}".contains(c) { depth -= 1 }
            i += 1
            if depth == 0 && i < chars.count { return false }
        }
        return depth == 0
    }

    /// `s` split at `separator` where no bracket is open (`(`, `[`, `{`, `\{` count; an interval's
    /// mixed brackets `(a, b]` are balanced as one level).
    static func splitTopLevel(_ s: String, separator: String) -> [String] {
        let chars = Array(s)
        let sep = Array(separator)
        var parts: [String] = []
        var current: [Character] = []
        var depth = 0
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if depth == 0, i + sep.count <= chars.count, Array(chars[i ..< i + sep.count]) == sep {
                parts.append(String(current))
                current = []
                i += sep.count
                continue
            }
            if "([{".contains(c) { depth += 1 }
            if ")]}".contains(c) { depth = max(0, depth - 1) }
            current.append(c)
            i += 1
        }
        parts.append(String(current))
        return parts.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
