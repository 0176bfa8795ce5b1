/// An image referenced by a (usually relative) path, such as a chart written next to the report.
public struct MarkdownImage: Sendable, Hashable, Codable {
    /// The alternative text shown when the image cannot be loaded.
    public var alt: String
    /// The image's path or URL, relative to the Markdown file (for example `plots/pareto.svg`).
    public var path: String
    /// An optional tooltip.
    public var title: String?

    /// The Markdown `![alt](path "title")`.
    public var markdown: String {
        let alt = MarkdownEscaping.escapeInline(alt)
        var out = "![\(alt)](\(Self.encodeDestination(path))"
        if let title {
            let escaped = XMLSanitizer.singleLine(title)
                .replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"")
            out += " \"\(escaped)\""
        }
        return out + ")"
    }

    /// `destination` with spaces, control characters, `<`, `>`, `(`, `)`, `|` and `\` percent-encoded, so
    /// that it is a valid link destination (also inside a table cell). Other characters, including `%`
    /// and non-ASCII letters, are kept.
    static func encodeDestination(_ destination: String) -> String {
        var out: [UInt8] = []
        for byte in XMLSanitizer.singleLine(destination).utf8 {
            switch byte {
            case 0...0x20, 0x7F, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "("), UInt8(ascii: ")"),
                 UInt8(ascii: "|"), UInt8(ascii: "\\"), UInt8(ascii: "\""):
                let hex = String(byte, radix: 16, uppercase: true)
                out += Array(("%" + (hex.count == 1 ? "0" + hex : hex)).utf8)
            default:
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
