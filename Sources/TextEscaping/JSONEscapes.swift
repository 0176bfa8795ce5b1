/// JSON's string escapes (RFC 8259 §7), shared by the package's JSON readers (task datasets,
/// tokenizer.json, `tojson` input in templates) and writers (canonical task configurations, server
/// responses).
public enum JSONEscapes {
    /// The byte the two-character escape `\X` stands for, for `X` one of `" \ / b f n r t`; nil for
    /// anything else (`u` starts a `\uXXXX` escape, which the reader decodes itself).
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

    /// ``unescaped(_:)-(UInt8)`` for a reader of scalars.
    @inlinable
    public static func unescaped(_ x: Unicode.Scalar) -> Unicode.Scalar? {
        guard x.isASCII, let byte = unescaped(UInt8(x.value)) else { return nil }
        return Unicode.Scalar(byte)
    }

    /// What a JSON string needs escaped: `"` and `\`, line feed, carriage return and tab as `\n`
    /// `\r` `\t`, and the other control characters below U+0020 as `\u00XX` (lower-case hex).
    public static let table: EscapeTable = {
        var replacements: [Unicode.Scalar: String] = ["\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"]
        for value in UInt8(0) ..< 0x20 where replacements[Unicode.Scalar(value)] == nil {
            replacements[Unicode.Scalar(value)] = unicodeEscape(UInt16(value))
        }
        return EscapeTable(replacements)
    }()

    /// `\uXXXX` for one UTF-16 code unit, in lower-case hex (as Python's `json.dumps` and
    /// ForgetBench's canonical JSON write it).
    public static func unicodeEscape(_ unit: UInt16) -> String {
        let hex = String(unit, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// `text` as a JSON string literal appended to `out`, escaped by ``table``; everything else
    /// (non-ASCII included) as is.
    public static func appendQuoted(_ text: String, to out: inout String) {
        out += "\""
        table.append(text, to: &out)
        out += "\""
    }
}
