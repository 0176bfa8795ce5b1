import Foundation
import TextEscaping

/// Escaping for HTML pages that show untrusted text (task names, prompts, model answers).
///
/// Text goes into a page two ways only: as escaped character data (``text(_:)``), or as JSON in a
/// `<script type="application/json">` data island (``scriptJSON(_:)``) that the page's script reads
/// and writes into the DOM with `textContent`, never as markup.
public enum HTMLEscaping {
    /// `text` as HTML character data or a double-quoted attribute value: `&`, `<`, `>` and `"` as
    /// entities; characters XML forbids removed.
    public static func text(_ text: String) -> String {
        MarkdownEscaping.escapeHTML(text)
    }

    /// What ``scriptJSON(_:)`` escapes.
    static let scriptEscapes = EscapeTable([
        "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u{2028}": "\\u2028", "\u{2029}": "\\u2029",
    ])

    /// JSON bytes made safe inside `<script type="application/json">…</script>`: `<`, `>` and `&`
    /// become `\u003c`, `\u003e`, `\u0026` (so no `</script>`, `<!--` or `]]>` can end or change
    /// the element), and U+2028 / U+2029 become `\u2028` / `\u2029` (line terminators in older
    /// JavaScript). Outside strings JSON has none of these characters, so the text parses to the
    /// same value. `json` is UTF-8 (as `JSONEncoder` writes it; invalid bytes would become U+FFFD).
    public static func scriptJSON(_ json: Data) -> String {
        scriptEscapes.escaping(String(decoding: json, as: UTF8.self))
    }
}
