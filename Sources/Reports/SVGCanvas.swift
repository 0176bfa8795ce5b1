import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Builds the parts every chart shares: the `<svg>` root, title, plot frame, axes with ticks and
/// labels, and the legend. Elements carry `class` attributes (`x-axis`, `tick-label`, `legend-entry`,
/// …) so that tests and stylesheets can find them.
struct SVGCanvas {
    /// Colour-blind-safe colours (Okabe–Ito), in order of use.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"]

    let size: ChartSize
    /// Margins around the plot area: room for the title, tick labels, axis labels and the legend.
    let left = 72.0, top = 48.0, bottom = 60.0
    let right: Double
    let root: XMLElement

    /// The plot area's left, right, top and bottom edges.
    var plotLeft: Double { left }
    var plotRight: Double { size.width - right }
    var plotTop: Double { top }
    var plotBottom: Double { size.height - bottom }

    init(size: ChartSize, title: String, legendWidth: Double) {
        self.size = size
        self.right = 20 + legendWidth
        root = XMLElement(name: "svg")
        root.addNamespace(XMLNode.namespace(withName: "", stringValue: "http://www.w3.org/2000/svg") as! XMLNode)
        let attributes: [(String, String?)] = [
            ("viewBox", "0 0 \(Self.n(size.width)) \(Self.n(size.height))"),
            ("width", Self.n(size.width)),
            ("height", Self.n(size.height)),
            ("role", "img"),
            ("aria-label", XMLSanitizer.singleLine(title)),
            ("font-family", "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"),
            ("font-size", "13"),
        ]
        for case let (name, value?) in attributes { XMLTree.setAttribute(root, name, value) }
        root.addChild(XMLTree.element("title", text: XMLSanitizer.singleLine(title)))
        root.addChild(XMLTree.element("rect", [("class", "background"), ("x", "0"), ("y", "0"),
                                               ("width", Self.n(size.width)), ("height", Self.n(size.height)), ("fill", "#ffffff")]))
        root.addChild(XMLTree.element("text", [("class", "chart-title"), ("x", Self.n(size.width / 2)), ("y", "28"),
                                               ("text-anchor", "middle"), ("font-size", "16"), ("font-weight", "600"), ("fill", "#222222")],
                                      text: XMLSanitizer.singleLine(title)))
    }

    /// A number for an SVG attribute: two decimals at most, no trailing zeros, `.` separator.
    static func n(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        var text = DecimalFormatting.fixed(value, decimals: 2)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// Draws both axes with grid lines, ticks, tick labels and axis labels.
    func drawAxes(x: ChartScale, y: ChartScale, xLabel: String, yLabel: String) {
        let grid = XMLTree.element("g", [("class", "grid"), ("stroke", "#e5e5e5"), ("stroke-width", "1")])
        let xAxis = XMLTree.element("g", [("class", "axis x-axis")])
        let yAxis = XMLTree.element("g", [("class", "axis y-axis")])
        xAxis.addChild(line(plotLeft, plotBottom, plotRight, plotBottom, class: "axis-line", stroke: "#333333"))
        yAxis.addChild(line(plotLeft, plotTop, plotLeft, plotBottom, class: "axis-line", stroke: "#333333"))
        for value in Self.thinned(x.ticks(), scale: x) {
            let px = x.position(value)
            grid.addChild(line(px, plotTop, px, plotBottom, class: "grid-line", stroke: nil))
            xAxis.addChild(line(px, plotBottom, px, plotBottom + 5, class: "tick", stroke: "#333333"))
            xAxis.addChild(text(x.label(value), x: px, y: plotBottom + 19, anchor: "middle", class: "tick-label"))
        }
        for value in y.ticks() {
            let py = y.position(value)
            grid.addChild(line(plotLeft, py, plotRight, py, class: "grid-line", stroke: nil))
            yAxis.addChild(line(plotLeft - 5, py, plotLeft, py, class: "tick", stroke: "#333333"))
            yAxis.addChild(text(y.label(value), x: plotLeft - 8, y: py + 4, anchor: "end", class: "tick-label"))
        }
        xAxis.addChild(text(xLabel, x: (plotLeft + plotRight) / 2, y: size.height - 16, anchor: "middle", class: "axis-label"))
        let yTitle = text(yLabel, x: 0, y: 0, anchor: "middle", class: "axis-label")
        XMLTree.setAttribute(yTitle, "transform", "translate(18 \(Self.n((plotTop + plotBottom) / 2))) rotate(-90)")
        yAxis.addChild(yTitle)
        root.addChild(grid)
        root.addChild(xAxis)
        root.addChild(yAxis)
    }

    /// Approximate width in pixels of `text` at `fontSize` (0.6 em per character, a generous average
    /// for the sans-serif fonts charts use): enough to keep labels from overlapping.
    static func textWidth(_ text: String, fontSize: Double = 13) -> Double { Double(text.count) * fontSize * 0.6 }

    /// Every k-th of `ticks` (k the smallest that keeps the x-axis tick labels at least 8 px apart),
    /// so that long labels on a wide log axis (`1000`, `10000`, …) never run together.
    static func thinned(_ ticks: [Double], scale: ChartScale) -> [Double] {
        guard ticks.count > 2 else { return ticks }
        for k in 1 ... ticks.count {
            let kept = stride(from: 0, to: ticks.count, by: k).map { ticks[$0] }
            let fits = zip(kept, kept.dropFirst()).allSatisfy { a, b in
                abs(scale.position(b) - scale.position(a)) >= (textWidth(scale.label(a)) + textWidth(scale.label(b))) / 2 + 8
            }
            if fits { return kept }
        }
        return [ticks[0]]
    }

    /// `text` broken at spaces into lines of at most `width` characters (a longer word is cut with `…`).
    static func wrapped(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in XMLSanitizer.singleLine(text).split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            let word = word.count > width ? shortened(word, to: width) : word
            if current.isEmpty { current = word } else if current.count + 1 + word.count <= width { current += " " + word } else {
                lines.append(current)
                current = word
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines.isEmpty ? [""] : lines
    }

    /// One legend entry: a swatch element (already positioned by the caller's `swatch` closure) and a
    /// label.
    struct LegendEntry {
        let label: String
        let swatch: (_ x: Double, _ y: Double) -> XMLElement
    }

    /// Draws the legend to the right of the plot area, one entry per line.
    func drawLegend(_ entries: [LegendEntry]) {
        guard !entries.isEmpty else { return }
        let legend = XMLTree.element("g", [("class", "legend")])
        // Labels wrap at the legend's width (20 px of margin and swatch, 7.8 px per character)
        // instead of being cut.
        let perLine = max(8, Int((size.width - plotRight - 16 - 18 - 4) / 7.8))
        var y = plotTop + 8
        for entry in entries {
            let x = plotRight + 16
            let group = XMLTree.element("g", [("class", "legend-entry")])
            group.addChild(entry.swatch(x, y))
            let lines = Self.wrapped(entry.label, width: perLine)
            let label = lines.count == 1 ? text(lines[0], x: x + 18, y: y + 4, anchor: "start", class: "legend-label")
                : XMLTree.element("text", [("class", "legend-label"), ("x", Self.n(x + 18)), ("y", Self.n(y + 4)), ("text-anchor", "start"), ("fill", "#222222")])
            if lines.count > 1 {
                for (i, line) in lines.enumerated() {
                    label.addChild(XMLTree.element("tspan", [("x", Self.n(x + 18)), ("dy", i == 0 ? "0" : "15")], text: line))
                }
            }
            group.addChild(label)
            legend.addChild(group)
            y += 22 + 15 * Double(lines.count - 1)
        }
        root.addChild(legend)
    }

    /// A `<line>` element.
    func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, class className: String, stroke: String?) -> XMLElement {
        XMLTree.element("line", [("class", className), ("x1", Self.n(x1)), ("y1", Self.n(y1)), ("x2", Self.n(x2)), ("y2", Self.n(y2)), ("stroke", stroke)])
    }

    /// A `<text>` element in the chart's text colour.
    func text(_ content: String, x: Double, y: Double, anchor: String, class className: String) -> XMLElement {
        XMLTree.element("text", [("class", className), ("x", Self.n(x)), ("y", Self.n(y)), ("text-anchor", anchor), ("fill", "#222222")],
                        text: XMLSanitizer.singleLine(content))
    }

    /// A note centred in the plot area, such as "no data".
    func drawNote(_ note: String) {
        root.addChild(text(note, x: (plotLeft + plotRight) / 2, y: (plotTop + plotBottom) / 2, anchor: "middle", class: "note"))
    }

    /// `text` cut to `limit` characters with `…`.
    static func shortened(_ text: String, to limit: Int) -> String {
        let line = XMLSanitizer.singleLine(text)
        return line.count > limit ? String(line.prefix(limit - 1)) + "…" : line
    }

    /// The finished SVG document.
    func data() -> Data {
        XMLTree.data(root: root, pretty: true)
    }
}
