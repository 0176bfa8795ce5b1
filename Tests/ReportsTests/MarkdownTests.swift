import Foundation
import XCTest
@testable import Reports

final class MarkdownTests: XCTestCase {
    func testTableWithPipesAndNewlinesMatchesGolden() throws {
        var table = MarkdownTable(
            headers: ["Task", "Metric ↑", "Δ"],
            alignments: [.left, .center, .right],
            rows: [
                ["a|b", "line1\nline2", "-1.2 pts"],
                ["<tag> & co", "x\r\ny"],
            ]
        )
        table.addRow([.code("a|b"), .bold("ok"), .raw("already \\| escaped"), "extra cell is dropped"])
        table.addRow(plain: ["back\\slash|pipe", "p < 0.05*", "1. first"])
        table.addRow([.code("x`|`y"), MarkdownText(GateBadge.pass.badge), .raw("raw\nbreak | pipe")])
        let expected = try String(contentsOf: TestSupport.fixture("markdown/table.md"), encoding: .utf8)
        XCTAssertEqual(table.markdown + "\n", expected)
    }

    func testInlineEscaping() {
        XCTAssertEqual(MarkdownText("plain text 0.512").markdown, "plain text 0.512")
        XCTAssertEqual(MarkdownText("*a* _b_ `c` [d](e) ~f~ $x$ \\").markdown, "\\*a\\* \\_b\\_ \\`c\\` \\[d\\](e) \\~f\\~ \\$x\\$ \\\\")
        XCTAssertEqual(MarkdownText("<script>alert('x')</script> & more").markdown, "&lt;script&gt;alert('x')&lt;/script&gt; &amp; more")
        XCTAssertEqual(MarkdownText("  # keeps\nlines\u{1} ").markdown, "  # keeps<br>lines ")
        let blockStart = MarkdownEscaping.escapeBlockStart
        // A line start that Markdown would read as a block (heading, list, rule, numbered item, indented
        // code) is escaped or trimmed; other line starts are kept.
        let lineStarts: [(line: String, escaped: String)] = [
            ("# not a heading", "\\# not a heading"),
            ("###", "\\###"),
            ("#5 issue", "#5 issue"),
            ("- not a list", "\\- not a list"),
            ("---", "\\---"),
            ("-34.7% BWT", "-34.7% BWT"),
            ("+ x", "\\+ x"),
            ("+3.2", "+3.2"),
            ("2025. A year", "2025\\. A year"),
            ("1)<br>x", "1\\)<br>x"),
            ("3.14", "3.14"),
            ("    indented code?  ", "indented code?"),
        ]
        for (line, escaped) in lineStarts {
            XCTAssertEqual(blockStart(line), escaped, line)
        }
        XCTAssertEqual(MarkdownText("emoji 🔥 ok").markdown, "emoji 🔥 ok")
        XCTAssertEqual((MarkdownText.bold("a*b") + " " + .italic("c") + " " + .code("d")).markdown, "**a\\*b** *c* `d`")
        XCTAssertEqual(MarkdownText.code("`tick`").markdown, "`` `tick` ``")
        XCTAssertEqual(MarkdownText.code("").markdown, "")
        XCTAssertEqual(MarkdownText.link("the docs", url: "docs/read me (1).md").markdown, "[the docs](docs/read%20me%20%281%29.md)")
    }

    func testTableCellEscapingRespectsExistingEscapes() {
        XCTAssertEqual(MarkdownEscaping.escapeTableCell("a|b"), "a\\|b")
        XCTAssertEqual(MarkdownEscaping.escapeTableCell("a\\|b"), "a\\|b")
        XCTAssertEqual(MarkdownEscaping.escapeTableCell("a\\\\|b"), "a\\\\\\|b")
        XCTAssertEqual(MarkdownEscaping.escapeTableCell(" a\r\nb\rc\n "), "a<br>b<br>c<br>")
    }

    func testDocumentRendering() throws {
        var doc = MarkdownDocument()
        doc.heading("Forgetting report: *candidate*", level: 1)
        doc.paragraph("Trained on mbpp; 3 non-target tasks.")
        doc.bulletList(["BWT: -0.2%", "- odd item", "two\nlines"])
        doc.bulletList([.bold("bold"), .raw("multi\nline raw")])
        doc.image(alt: "Pareto [front]", path: "plots/pareto front.svg", title: "TI vs \"BWT\"")
        doc.details(summary: "Per-item <details> & more") { inner in
            inner.paragraph("hidden")
            inner.codeBlock("let x = 1\n```\n", language: "swift")
        }
        doc.details(summary: "Empty", open: true) { _ in }
        doc.rule()
        doc.heading("", level: 9)
        doc.heading("C# ##", level: 3)
        doc.paragraph("1. not a list " + .bold("but bold"))
        doc.raw("<!-- raw -->")
        let expected = """
        # Forgetting report: \\*candidate\\*

        Trained on mbpp; 3 non-target tasks.

        - BWT: -0.2%
        - \\- odd item
        - two<br>lines

        - **bold**
        - multi
          line raw

        ![Pareto \\[front\\]](plots/pareto%20front.svg "TI vs \\"BWT\\"")

        <details>
        <summary>Per-item &lt;details&gt; &amp; more</summary>

        hidden

        ````swift
        let x = 1
        ```
        ````

        </details>

        <details open>
        <summary>Empty</summary>

        </details>

        ---

        ######

        ### C# \\##

        1\\. not a list **but bold**

        <!-- raw -->

        """
        XCTAssertEqual(doc.render(), expected)
        XCTAssertEqual(MarkdownDocument().render(), "")

        let file = try TestSupport.temporaryDirectory(self).appendingPathComponent("a/summary.md")
        try doc.write(to: file)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), expected)
        let decoded = try JSONDecoder().decode(MarkdownDocument.self, from: JSONEncoder().encode(doc))
        XCTAssertEqual(decoded, doc)
    }
}
