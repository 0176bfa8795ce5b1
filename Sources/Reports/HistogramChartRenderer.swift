import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

extension HistogramChart {
    /// Draws the chart: axes, one `rect.bar` per non-empty bin of each series (semi-transparent so
    /// overlaps show), the threshold line and its label, and the legend.
    func svgData() -> Data {
        let canvas = SVGCanvas(size: size, title: title, legendWidth: 170)
        let edges = binEdges()
        let counts = binCounts()
        let heights: [[Double]] = zip(series, counts).map { series, counts in
            let total = counts.reduce(0, +)
            return counts.map { count in
                normalization == .fraction ? (total > 0 ? Double(count) / Double(total) : 0) : Double(count)
            }
        }
        var xLower = edges.first ?? (logScaleX ? 1 : 0)
        var xUpper = edges.last ?? (logScaleX ? 10 : 1)
        if let threshold, isPlottable(threshold.value) {
            xLower = min(xLower, threshold.value)
            xUpper = max(xUpper, threshold.value)
        }
        if logScaleX, xLower > 0 {
            // Start at the power of ten just below when it is close (perplexities start at 1), so it gets a tick.
            let power = pow(10, (log10(xLower)).rounded(.down))
            if xLower / power < 1.5 { xLower = power }
        }
        let x = ChartScale(lower: xLower, upper: xUpper, start: canvas.plotLeft, end: canvas.plotRight, logarithmic: logScaleX)
        let y = ChartScale.padded(heights.flatMap { $0 } + [0], start: canvas.plotBottom, end: canvas.plotTop, includeZero: true)
        let label = yLabel ?? (normalization == .fraction ? "fraction of values" : "count")
        canvas.drawAxes(x: x, y: y, xLabel: xLabel, yLabel: label)
        let color = { (index: Int) in SVGCanvas.palette[index % SVGCanvas.palette.count] }

        for (index, series) in series.enumerated() {
            let group = XMLTree.element("g", [("class", "series"), ("data-series", XMLSanitizer.singleLine(series.name)),
                                              ("fill", color(index)), ("fill-opacity", "0.45"), ("stroke", color(index))])
            for (bin, height) in heights[index].enumerated() where height > 0 {
                let (left, right) = (x.position(edges[bin]), x.position(edges[bin + 1]))
                let top = y.position(height), base = y.position(0)
                let bar = XMLTree.element("rect", [("class", "bar"), ("x", SVGCanvas.n(left)), ("y", SVGCanvas.n(top)),
                                                   ("width", SVGCanvas.n(max(right - left, 0.5))), ("height", SVGCanvas.n(max(base - top, 0)))])
                let value = normalization == .fraction ? ReportNumberFormat.number(height) : String(counts[index][bin])
                bar.addChild(XMLTree.element("title", text: XMLSanitizer.singleLine(
                    "\(series.name): [\(ReportNumberFormat.number(edges[bin])), \(ReportNumberFormat.number(edges[bin + 1]))) \(value)")))
                group.addChild(bar)
            }
            canvas.root.addChild(group)
        }
        if edges.isEmpty { canvas.drawNote("no data") }

        var entries = series.enumerated().map { index, series in
            SVGCanvas.LegendEntry(label: series.name) { lx, ly in
                XMLTree.element("rect", [("class", "legend-swatch"), ("x", SVGCanvas.n(lx)), ("y", SVGCanvas.n(ly - 6)), ("width", "12"),
                                         ("height", "12"), ("fill", color(index)), ("fill-opacity", "0.45"), ("stroke", color(index))])
            }
        }
        if let threshold, isPlottable(threshold.value) {
            let px = x.position(threshold.value)
            let group = XMLTree.element("g", [("class", "threshold")])
            group.addChild(canvas.line(px, canvas.plotTop, px, canvas.plotBottom, class: "threshold-line", stroke: "#D55E00"))
            if let line = group.children?.last as? XMLElement {
                XMLTree.setAttribute(line, "stroke-width", "2")
                XMLTree.setAttribute(line, "stroke-dasharray", "6 4")
            }
            let nearRight = px > canvas.plotRight - 100
            group.addChild(canvas.text(threshold.label, x: nearRight ? px - 6 : px + 6, y: canvas.plotTop + 14,
                                       anchor: nearRight ? "end" : "start", class: "threshold-label"))
            canvas.root.addChild(group)
            entries.append(SVGCanvas.LegendEntry(label: threshold.label) { lx, ly in
                XMLTree.element("line", [("class", "legend-swatch"), ("x1", SVGCanvas.n(lx + 6)), ("y1", SVGCanvas.n(ly - 7)), ("x2", SVGCanvas.n(lx + 6)),
                                         ("y2", SVGCanvas.n(ly + 7)), ("stroke", "#D55E00"), ("stroke-width", "2"), ("stroke-dasharray", "4 2")])
            })
        }
        canvas.drawLegend(entries)
        return canvas.data()
    }
}
