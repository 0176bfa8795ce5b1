/// Cleans text so that it can be written into an XML 1.0 document.
///
/// XML 1.0 allows only `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`
/// (<https://www.w3.org/TR/xml/#charsets>). Anything else, such as the control characters
/// U+0000–U+0008, U+000B, U+000C, U+000E–U+001F or the non-characters U+FFFE and U+FFFF, makes the
/// whole document unreadable to a conforming parser, even when written as a character reference.
/// Unpaired surrogates cannot occur in a Swift `String`. Every attribute value and text node that the
/// report writers emit passes through ``removingForbiddenCharacters(_:)``.
public enum XMLSanitizer {
    /// Whether `scalar` is allowed in an XML 1.0 document.
    public static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: return true
        case 0x20...0xD7FF: return true
        case 0xE000...0xFFFD: return true
        case 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    /// `text` without the characters that XML 1.0 forbids (they are dropped, not replaced).
    public static func removingForbiddenCharacters(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy(isAllowed) { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where isAllowed(scalar) { scalars.append(scalar) }
        return String(scalars)
    }

    /// `text` cleaned with ``removingForbiddenCharacters(_:)`` and folded onto one line.
    ///
    /// Each line break (CR LF, LF, CR, NEL U+0085, LINE SEPARATOR U+2028, PARAGRAPH SEPARATOR U+2029)
    /// becomes one space, and leading and trailing white space is trimmed. Used for messages and
    /// names, which test viewers show on one line.
    public static func singleLine(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in removingForbiddenCharacters(text).unicodeScalars {
            switch scalar {
            case "\n" where previousWasCR:
                previousWasCR = false
                continue
            case "\r", "\n", "\u{85}", "\u{2028}", "\u{2029}":
                previousWasCR = scalar == "\r"
                scalars.append(" ")
            default:
                previousWasCR = false
                scalars.append(scalar)
            }
        }
        return String(scalars).trimmingASCIIWhitespace()
    }
}

extension String {
    /// `self` without leading and trailing spaces, tabs and line breaks (no Foundation needed).
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
