/// Python's `str` algorithms on Unicode scalars (code points), where Swift's own work on
/// grapheme clusters.
enum PythonString {
    /// `str.split(sep, maxsplit)` and `str.rsplit`: with no separator, runs of whitespace split and
    /// empty parts are dropped.
    static func split(_ text: [Unicode.Scalar], separator: [Unicode.Scalar]?, maximum: Int, fromRight: Bool) throws -> [[Unicode.Scalar]] {
        if let separator {
            guard !separator.isEmpty else { throw JinjaError(.value, "empty separator") }
            if fromRight {
                let reversedParts = try split(text.reversed(), separator: separator.reversed(), maximum: maximum, fromRight: false)
                return reversedParts.reversed().map { $0.reversed() }
            }
            var parts: [[Unicode.Scalar]] = []
            var start = 0, index = 0
            while index + separator.count <= text.count {
                if (maximum < 0 || parts.count < maximum) && text[index..<(index + separator.count)].elementsEqual(separator) {
                    parts.append(Array(text[start..<index]))
                    index += separator.count
                    start = index
                } else {
                    index += 1
                }
            }
            parts.append(Array(text[start...]))
            return parts
        }
        if fromRight {
            // Whitespace rsplit: the part left over keeps its leading whitespace.
            var parts: [[Unicode.Scalar]] = []
            var index = text.count
            while index > 0 {
                while index > 0 && text[index - 1].isPythonSpace { index -= 1 }
                guard index > 0 else { break }
                if maximum >= 0 && parts.count == maximum {
                    parts.append(Array(text[0..<index]))
                    break
                }
                let end = index
                while index > 0 && !text[index - 1].isPythonSpace { index -= 1 }
                parts.append(Array(text[index..<end]))
            }
            return parts.reversed()
        }
        var parts: [[Unicode.Scalar]] = []
        var index = 0
        while index < text.count {
            while index < text.count && text[index].isPythonSpace { index += 1 }
            guard index < text.count else { break }
            if maximum >= 0 && parts.count == maximum {
                var end = text.count
                while end > index && text[end - 1].isPythonSpace { end -= 1 }
                parts.append(Array(text[index..<end]))
                break
            }
            let start = index
            while index < text.count && !text[index].isPythonSpace { index += 1 }
            parts.append(Array(text[start..<index]))
        }
        return parts
    }

    /// `str.splitlines()`: line boundaries are `\n`, `\r`, `\r\n`, `\v`, `\f`, `\x1c`-`\x1e`, `\x85`,
    /// U+2028 and U+2029; the boundaries are dropped.
    static func splitLines(_ text: [Unicode.Scalar], keepEnds: Bool = false) -> [[Unicode.Scalar]] {
        var lines: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        var index = 0
        while index < text.count {
            let scalar = text[index]
            switch scalar.value {
            case 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029:
                if keepEnds { current.append(scalar) }
                if scalar == "\r" && index + 1 < text.count && text[index + 1] == "\n" {
                    index += 1
                    if keepEnds { current.append("\n") }
                }
                lines.append(current)
                current = []
            default:
                current.append(scalar)
            }
            index += 1
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// `str.title()`: a letter after a non-letter is upper-cased, any other letter lower-cased.
    static func title(_ text: [Unicode.Scalar]) -> String {
        var out = ""
        var previousIsCased = false
        for scalar in text {
            let isCased = scalar.properties.isCased
            out += previousIsCased ? String(scalar).lowercased() : String(scalar).uppercased()
            previousIsCased = isCased
        }
        return out
    }

    /// `str.replace(old, new, count)`; an empty `old` inserts `new` between every two code points.
    static func replace(_ text: [Unicode.Scalar], _ old: [Unicode.Scalar], _ new: [Unicode.Scalar], count: Int) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        var replaced = 0
        if old.isEmpty {
            for scalar in text {
                if count < 0 || replaced < count { out += new; replaced += 1 }
                out.append(scalar)
            }
            if count < 0 || replaced < count { out += new }
            return out
        }
        var index = 0
        while index < text.count {
            if (count < 0 || replaced < count) && index + old.count <= text.count
                && text[index..<(index + old.count)].elementsEqual(old) {
                out += new
                index += old.count
                replaced += 1
            } else {
                out.append(text[index])
                index += 1
            }
        }
        return out
    }

    /// Start offsets of the non-overlapping occurrences of `needle`, left to right.
    static func occurrences(of needle: [Unicode.Scalar], in text: [Unicode.Scalar]) -> [Int] {
        guard !needle.isEmpty else { return Array(0...text.count) }
        var found: [Int] = []
        var index = 0
        while index + needle.count <= text.count {
            if text[index..<(index + needle.count)].elementsEqual(needle) {
                found.append(index)
                index += needle.count
            } else {
                index += 1
            }
        }
        return found
    }

    static func lastOccurrence(of needle: [Unicode.Scalar], in text: [Unicode.Scalar]) -> Int? {
        guard needle.count <= text.count else { return nil }
        var index = text.count - needle.count
        while index >= 0 {
            if text[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index -= 1
        }
        return nil
    }

    /// Whether `needle` occurs in `text`, comparing code points.
    static func contains(_ text: String, _ needle: String) -> Bool {
        let haystack = Array(text.unicodeScalars), pattern = Array(needle.unicodeScalars)
        guard !pattern.isEmpty else { return true }
        guard pattern.count <= haystack.count else { return false }
        for start in 0...(haystack.count - pattern.count) where haystack[start..<(start + pattern.count)].elementsEqual(pattern) {
            return true
        }
        return false
    }
}
