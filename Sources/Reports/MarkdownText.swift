/// A piece of inline Markdown: either plain text escaped so that it renders literally, or Markdown
/// the caller has composed (bold, code, links).
///
/// Create plain text with ``init(_:)`` or a string literal (`"p < 0.05"` renders as `p < 0.05`),
/// formatted text with ``bold(_:)``, ``italic(_:)``, ``code(_:)``, ``link(_:url:)``, and join pieces
/// with `+`. Use ``raw(_:)`` only for Markdown you trust.
public struct MarkdownText: Sendable, Hashable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The Markdown source of this text.
    public let markdown: String

    /// Plain `text`, escaped with ``MarkdownEscaping/escapeInline(_:)``.
    public init(_ text: String) {
        markdown = MarkdownEscaping.escapeInline(text)
    }

    /// Plain text from a literal, escaped as ``init(_:)`` does.
    public init(stringLiteral value: String) {
        self.init(value)
    }

    private init(markdown: String) {
        self.markdown = markdown
    }

    /// Markdown taken as is, without escaping.
    public static func raw(_ markdown: String) -> MarkdownText {
        MarkdownText(markdown: markdown)
    }

    /// `text` in bold (`**…**`); empty text stays empty.
    public static func bold(_ text: MarkdownText) -> MarkdownText {
        text.markdown.isEmpty ? text : MarkdownText(markdown: "**\(text.markdown)**")
    }

    /// `text` in italics (`*…*`); empty text stays empty.
    public static func italic(_ text: MarkdownText) -> MarkdownText {
        text.markdown.isEmpty ? text : MarkdownText(markdown: "*\(text.markdown)*")
    }

    /// `text` as a code span: fenced with one backtick more than its longest backtick run, padded with
    /// spaces when it starts or ends with a backtick; line breaks become spaces. In a table, the
    /// table escapes its `|` as GFM requires.
    public static func code(_ text: String) -> MarkdownText {
        var body = XMLSanitizer.singleLine(text)
        if body.isEmpty { return MarkdownText(markdown: "") }
        var longest = 0, run = 0
        for character in body {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        if body.hasPrefix("`") || body.hasSuffix("`") { body = " \(body) " }
        return MarkdownText(markdown: fence + body + fence)
    }

    /// A link with the label `text` to `url` (`<`, `>`, spaces and parentheses in `url` are
    /// percent-encoded).
    public static func link(_ text: MarkdownText, url: String) -> MarkdownText {
        MarkdownText(markdown: "[\(text.markdown)](\(MarkdownImage.encodeDestination(url)))")
    }

    /// The two pieces one after the other.
    public static func + (lhs: MarkdownText, rhs: MarkdownText) -> MarkdownText {
        MarkdownText(markdown: lhs.markdown + rhs.markdown)
    }

    /// The Markdown source (``markdown``).
    public var description: String { markdown }

    /// Decodes the Markdown source from a single string (taken as is, not escaped again).
    public init(from decoder: any Decoder) throws {
        markdown = try decoder.singleValueContainer().decode(String.self)
    }

    /// Encodes the Markdown source as a single string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(markdown)
    }
}
