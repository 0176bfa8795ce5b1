/// A GitHub-flavoured Markdown table with per-column alignment.
///
/// Cells are ``MarkdownText``: plain strings are escaped to render literally; in addition every cell
/// is passed through ``MarkdownEscaping/escapeTableCell(_:)`` so that a `|` never splits a cell and a
/// line break becomes `<br>`. Rows shorter than the header are padded with empty cells; extra cells
/// beyond the header's count are dropped (GFM would ignore them too).
public struct MarkdownTable: Sendable, Hashable, Codable {
    /// How a column's content is aligned.
    public enum Alignment: String, Sendable, Hashable, Codable, CaseIterable {
        /// The renderer's default (`---`).
        case none
        /// Left-aligned (`:---`).
        case left
        /// Centred (`:---:`).
        case center
        /// Right-aligned (`---:`), the usual choice for numbers.
        case right

        /// The delimiter-row cell for this alignment.
        var delimiter: String {
            switch self {
            case .none: "---"
            case .left: ":---"
            case .center: ":---:"
            case .right: "---:"
            }
        }
    }

    /// One column: its header and alignment.
    public struct Column: Sendable, Hashable, Codable {
        /// The header cell.
        public var header: MarkdownText
        /// The alignment of the column.
        public var alignment: Alignment

        /// A column headed `header`, aligned as `alignment`.
        public init(_ header: MarkdownText, alignment: Alignment = .none) {
            self.header = header
            self.alignment = alignment
        }
    }

    /// The columns, left to right.
    public var columns: [Column]
    /// The body rows, top to bottom.
    public var rows: [[MarkdownText]]

    /// A table with the given columns and rows.
    public init(columns: [Column], rows: [[MarkdownText]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// A table of plain-text headers and cells. `alignments[i]` aligns column `i` (missing entries
    /// mean ``Alignment/none``).
    public init(headers: [String], alignments: [Alignment] = [], rows: [[String]] = []) {
        self.columns = headers.enumerated().map { index, header in
            Column(MarkdownText(header), alignment: index < alignments.count ? alignments[index] : .none)
        }
        self.rows = rows.map { $0.map { MarkdownText($0) } }
    }

    /// Appends a row of formatted cells.
    public mutating func addRow(_ cells: [MarkdownText]) {
        rows.append(cells)
    }

    /// Appends a row of plain-text cells.
    public mutating func addRow(plain cells: [String]) {
        rows.append(cells.map { MarkdownText($0) })
    }

    /// The table's Markdown: header row, delimiter row and body rows, one per line, without a trailing
    /// newline. An empty string when the table has no columns.
    public var markdown: String {
        guard !columns.isEmpty else { return "" }
        func line(_ cells: [String]) -> String {
            "| " + cells.joined(separator: " | ") + " |"
        }
        func cells(_ row: [MarkdownText]) -> [String] {
            (0..<columns.count).map { index in
                index < row.count ? MarkdownEscaping.escapeTableCell(row[index].markdown) : ""
            }
        }
        var lines = [line(cells(columns.map(\.header)))]
        lines.append("|" + columns.map { $0.alignment.delimiter }.joined(separator: "|") + "|")
        lines += rows.map { line(cells($0)) }
        return lines.joined(separator: "\n")
    }
}
