import Foundation

/// A Markdown document built block by block, fit to paste into `$GITHUB_STEP_SUMMARY`, a pull request
/// comment or a `README.md`.
///
/// ```swift
/// var doc = MarkdownDocument()
/// doc.heading("Forgetting report", level: 1)
/// doc.paragraph("Candidate vs base on 3 tasks.")
/// doc.table(MarkdownTable(headers: ["Task", "Δ"], alignments: [.left, .right], rows: [["gsm8k", "-1.2 pts"]]))
/// try doc.write(to: URL(fileURLWithPath: "report.md"))
/// ```
///
/// Plain strings are escaped so that they render literally (see ``MarkdownText``). Blocks are
/// separated by one blank line and the rendered document ends with a newline.
public struct MarkdownDocument: Sendable, Hashable, Codable {
    /// The blocks, in order.
    public var blocks: [MarkdownBlock]

    /// A document made of `blocks` (empty by default).
    public init(_ blocks: [MarkdownBlock] = []) {
        self.blocks = blocks
    }

    /// A document built by `build`.
    public init(_ build: (inout MarkdownDocument) -> Void) {
        self.init()
        build(&self)
    }

    /// Appends a heading of `level` 1–6 (clamped; default 2).
    public mutating func heading(_ text: MarkdownText, level: Int = 2) {
        blocks.append(.heading(level: level, text: text))
    }

    /// Appends a heading of plain text.
    public mutating func heading(_ text: String, level: Int = 2) {
        heading(MarkdownText(text), level: level)
    }

    /// Appends a paragraph.
    public mutating func paragraph(_ text: MarkdownText) {
        blocks.append(.paragraph(text))
    }

    /// Appends a paragraph of plain text.
    public mutating func paragraph(_ text: String) {
        paragraph(MarkdownText(text))
    }

    /// Appends a table.
    public mutating func table(_ table: MarkdownTable) {
        blocks.append(.table(table))
    }

    /// Appends a bullet list.
    public mutating func bulletList(_ items: [MarkdownText]) {
        blocks.append(.bulletList(items))
    }

    /// Appends a bullet list of plain-text items.
    public mutating func bulletList(_ items: [String]) {
        bulletList(items.map { MarkdownText($0) })
    }

    /// Appends an image referenced by `path` (relative to the Markdown file).
    public mutating func image(alt: String, path: String, title: String? = nil) {
        blocks.append(.image(MarkdownImage(alt: alt, path: path, title: title)))
    }

    /// Appends a collapsible `<details>` section whose body `build` fills; `open` shows it expanded.
    public mutating func details(summary: String, open: Bool = false, _ build: (inout MarkdownDocument) -> Void) {
        blocks.append(.details(summary: summary, open: open, blocks: MarkdownDocument(build).blocks))
    }

    /// Appends a fenced code block.
    public mutating func codeBlock(_ code: String, language: String? = nil) {
        blocks.append(.codeBlock(language: language, code: code))
    }

    /// Appends a thematic break.
    public mutating func rule() {
        blocks.append(.rule)
    }

    /// Appends Markdown as is.
    public mutating func raw(_ markdown: String) {
        blocks.append(.raw(markdown))
    }

    /// Appends the blocks of `other`.
    public mutating func append(contentsOf other: MarkdownDocument) {
        blocks += other.blocks
    }

    /// The blocks joined by blank lines, without a trailing newline (empty blocks are skipped).
    var markdownBody: String {
        blocks.map(\.markdown).filter { !$0.isEmpty }.joined(separator: "\n\n")
    }

    /// The document's Markdown, ending with a newline (empty for an empty document).
    public func render() -> String {
        let body = markdownBody
        return body.isEmpty ? "" : body + "\n"
    }

    /// Writes ``render()`` as UTF-8 to `url` atomically (temporary file, then rename).
    ///
    /// - Throws: ``ReportsError/writeFailed(path:reason:)`` if the file cannot be written.
    public func write(to url: URL) throws {
        try AtomicFileWriter.write(render(), to: url)
    }
}
