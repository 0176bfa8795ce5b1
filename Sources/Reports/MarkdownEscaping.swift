import TextEscaping

/// Escaping rules for GitHub-flavoured Markdown (as rendered on github.com and in
/// `$GITHUB_STEP_SUMMARY`).
public enum MarkdownEscaping {
    /// ASCII punctuation that is backslash-escaped anywhere in inline text: it could otherwise start
    /// emphasis (`*`, `_`, `~`), code (`` ` ``), links or images (`[`, `]`), math (`$`), a table cell
    /// boundary (`|`), or an escape itself (`\`).
    static let alwaysEscaped: Set<Character> = ["\\", "`", "*", "_", "[", "]", "~", "|", "$"]

    /// `text` as literal inline Markdown: it renders as exactly these characters.
    ///
    /// - Markdown punctuation that could start formatting is backslash-escaped (`\*`, `\_`, `\|`, …).
    /// - `<`, `>` and `&` become `&lt;`, `&gt;` and `&amp;`, so no HTML tag or entity is formed.
    ///
    /// Text that could open a block (`# `, `- `, `1. `) only matters at the start of a block; paragraphs,
    /// headings and list items escape it there (``escapeBlockStart(_:)``), so pieces can be joined freely.
    /// - Line breaks become `<br>`, keeping the result on one physical line (safe in table cells,
    ///   list items and headings).
    /// - Characters that are invalid in XML/HTML (C0 controls other than tab, U+FFFE, U+FFFF) are removed.
    public static func escapeInline(_ text: String) -> String {
        let cleaned = XMLSanitizer.removingForbiddenCharacters(text)
        var out = ""
        out.reserveCapacity(cleaned.utf8.count)
        for character in cleaned {
            switch character {
            case "\r\n", "\n", "\r", "\u{2028}", "\u{2029}": out += "<br>"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            default:
                if alwaysEscaped.contains(character) { out += "\\" }
                out.append(character)
            }
        }
        return out
    }

    /// `markdown` as the content of a paragraph, heading or list item: without surrounding white space
    /// (leading spaces could make an indented code block) and with a backslash where its start could
    /// open a block: `#` followed by a space (a heading),
    /// `-` or `+` followed by a space (a list item), a run of `-` (a thematic break), or digits and
    /// `.`/`)` followed by a space (an ordered list). Text such as `-1.2 pts` or `#5` is left alone.
    public static func escapeBlockStart(_ markdown: String) -> String {
        let markdown = markdown.trimmingASCIIWhitespace()
        guard let first = markdown.first else { return markdown }
        let rest = markdown.dropFirst()
        let opensBlock: (Substring) -> Bool = { tail in
            tail.isEmpty || tail.first == " " || tail.first == "\t" || tail.hasPrefix("<br>")
        }
        switch first {
        case "#":
            let tail = markdown.drop { $0 == "#" }
            if markdown.count - tail.count <= 6, opensBlock(tail) { return "\\" + markdown }
        case "-":
            if opensBlock(rest) || rest.allSatisfy({ $0 == "-" || $0 == " " }) { return "\\" + markdown }
        case "+":
            if opensBlock(rest) { return "\\" + markdown }
        default:
            let digits = markdown.prefix { $0.isASCII && $0.isNumber }
            if !digits.isEmpty, digits.count <= 9 {
                let afterDigits = markdown.dropFirst(digits.count)
                if let marker = afterDigits.first, marker == "." || marker == ")", opensBlock(afterDigits.dropFirst()) {
                    return digits + "\\" + afterDigits
                }
            }
        }
        return markdown
    }

    /// `markdown` made safe for one GFM table cell: every `|` not already backslash-escaped becomes
    /// `\|` (GFM splits cells on `|` even inside code spans), each line break becomes `<br>`, and
    /// leading and trailing spaces are trimmed.
    public static func escapeTableCell(_ markdown: String) -> String {
        var out = ""
        var backslashes = 0
        for character in markdown {
            switch character {
            case "\r\n", "\n", "\r":
                out += "<br>"
                backslashes = 0
                continue
            case "|" where backslashes % 2 == 0:
                out += "\\|"
            default:
                out.append(character)
            }
            backslashes = character == "\\" ? backslashes + 1 : 0
        }
        return out.trimmingASCIIWhitespace()
    }

    /// `text` escaped for HTML text or a double-quoted attribute: `&`, `<`, `>` and `"` become entities
    /// and characters invalid in XML are removed. Line breaks are kept.
    public static func escapeHTML(_ text: String) -> String {
        htmlEscapes.escaping(XMLSanitizer.removingForbiddenCharacters(text))
    }

    /// What ``escapeHTML(_:)`` replaces with entities.
    static let htmlEscapes = EscapeTable(["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"])
}
