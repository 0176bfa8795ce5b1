import Foundation

/// JSON's string escapes (RFC 8259 §7), shared by the package's JSON readers (task datasets,
/// tokenizer.json) and writers (canonical task configurations, server responses).
public enum JSONEscapes {
    /// The byte the two-character escape `\X` stands for, for `X` one of `" \ / b f n r t`; nil for
    /// anything else (`u` starts a `\uXXXX` escape, handled by ``scalar(high:low:)``).
    @inlinable
    public static func unescaped(_ x: UInt8) -> UInt8? {
        switch x {
        case UInt8(ascii: "\""): return 0x22
        case UInt8(ascii: "\\"): return 0x5C
        case UInt8(ascii: "/"): return 0x2F
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        default: return nil
        }
    }

    /// `text` as a JSON string literal appended to `out`: `"` and `\` escaped, line feed, carriage
    /// return and tab as `\n` `\r` `\t`, other control characters as `\u00XX` (lower-case hex),
    /// everything else (non-ASCII included) as is.
    public static func appendQuoted(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
