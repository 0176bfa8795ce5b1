/// One block of a ``MarkdownDocument``.
public indirect enum MarkdownBlock: Sendable, Hashable, Codable {
    /// A heading of `level` 1–6 (clamped), such as `## Gates`.
    case heading(level: Int, text: MarkdownText)
    /// A paragraph of inline text.
    case paragraph(MarkdownText)
    /// A table.
    case table(MarkdownTable)
    /// A bullet list, one item per entry.
    case bulletList([MarkdownText])
    /// An image on its own line.
    case image(MarkdownImage)
    /// A collapsible section: `summary` is plain text shown when closed; `blocks` is the hidden body.
    case details(summary: String, open: Bool, blocks: [MarkdownBlock])
    /// A fenced code block with an optional info string (language).
    case codeBlock(language: String?, code: String)
    /// A thematic break (`---`).
    case rule
    /// Markdown taken as is.
    case raw(String)

    /// The block's Markdown, without a trailing newline.
    public var markdown: String {
        switch self {
        case let .heading(level, text):
            let hashes = String(repeating: "#", count: min(max(level, 1), 6))
            var content = MarkdownEscaping.escapeBlockStart(text.markdown)
            if content.hasSuffix("#") {
                // A trailing run of `#` would be taken as the heading's closing sequence.
                let run = content.reversed().prefix { $0 == "#" }.count
                content.insert("\\", at: content.index(content.endIndex, offsetBy: -run))
            }
            return content.isEmpty ? hashes : "\(hashes) \(content)"
        case let .paragraph(text):
            return MarkdownEscaping.escapeBlockStart(text.markdown)
        case let .table(table):
            return table.markdown
        case let .bulletList(items):
            return items.map { item in
                "- " + MarkdownEscaping.escapeBlockStart(item.markdown).split(separator: "\n", omittingEmptySubsequences: false)
                    .joined(separator: "\n  ")
            }.joined(separator: "\n")
        case let .image(image):
            return image.markdown
        case let .details(summary, open, blocks):
            let body = MarkdownDocument(blocks).markdownBody
            var out = open ? "<details open>\n" : "<details>\n"
            out += "<summary>\(MarkdownEscaping.escapeHTML(XMLSanitizer.singleLine(summary)))</summary>\n\n"
            if !body.isEmpty { out += body + "\n\n" }
            return out + "</details>"
        case let .codeBlock(language, code):
            var longest = 0, run = 0
            for character in code {
                run = character == "`" ? run + 1 : 0
                longest = max(longest, run)
            }
            let fence = String(repeating: "`", count: max(3, longest + 1))
            let info = language.map { XMLSanitizer.singleLine($0).replacingOccurrences(of: "`", with: "") } ?? ""
            var body = XMLSanitizer.removingForbiddenCharacters(code)
            if body.hasSuffix("\n") { body.removeLast() }
            return "\(fence)\(info)\n\(body)\n\(fence)"
        case .rule:
            return "---"
        case let .raw(markdown):
            return markdown
        }
    }
}
