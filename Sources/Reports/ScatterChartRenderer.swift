import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

extension ScatterChart {
    /// Draws the chart: axes, one `circle.point` per plotted point (with a `<title>` tooltip), labels,
    /// the Pareto front as a dashed line through ringed points, and the legend.
    func svgData() -> Data {
        let canvas = SVGCanvas(size: size, title: title, legendWidth: 170)
        let plotted = plottedPoints
        let x = ChartScale.padded(plotted.map(\.point.x), start: canvas.plotLeft, end: canvas.plotRight)
        let y = ChartScale.padded(plotted.map(\.point.y), start: canvas.plotBottom, end: canvas.plotTop)
        canvas.drawAxes(x: x, y: y, xLabel: xLabel, yLabel: yLabel)
        let color = { (index: Int) in SVGCanvas.palette[index % SVGCanvas.palette.count] }

        let front = showParetoFront ? paretoFront : []
        if !front.isEmpty {
            let group = XMLTree.element("g", [("class", "pareto-front")])
            let coordinates = front.map { "\(SVGCanvas.n(x.position($0.x))),\(SVGCanvas.n(y.position($0.y)))" }
            group.addChild(XMLTree.element("polyline", [
                ("class", "pareto-line"), ("points", coordinates.joined(separator: " ")), ("fill", "none"),
                ("stroke", "#D55E00"), ("stroke-width", "1.5"), ("stroke-dasharray", "6 4"),
            ]))
            for point in front {
                group.addChild(XMLTree.element("circle", [
                    ("class", "pareto-marker"), ("cx", SVGCanvas.n(x.position(point.x))), ("cy", SVGCanvas.n(y.position(point.y))),
                    ("r", "9"), ("fill", "none"), ("stroke", "#D55E00"), ("stroke-width", "1.5"),
                ]))
            }
            canvas.root.addChild(group)
        }

        for (index, series) in series.enumerated() {
            let group = XMLTree.element("g", [("class", "series"), ("data-series", XMLSanitizer.singleLine(series.name)), ("fill", color(index))])
            for point in series.points where point.x.isFinite && point.y.isFinite {
                let (px, py) = (x.position(point.x), y.position(point.y))
                let circle = XMLTree.element("circle", [("class", "point"), ("cx", SVGCanvas.n(px)), ("cy", SVGCanvas.n(py)), ("r", "5")])
                let tooltip = [point.label, "(\(ReportNumberFormat.number(point.x)), \(ReportNumberFormat.number(point.y)))"]
                    .compactMap { $0 }.joined(separator: " ")
                circle.addChild(XMLTree.element("title", text: XMLSanitizer.singleLine(tooltip)))
                group.addChild(circle)
                if let label = point.label, !label.isEmpty {
                    let nearRight = px > canvas.plotRight - 120
                    let text = canvas.text(SVGCanvas.shortened(label, to: 32), x: nearRight ? px - 11 : px + 11, y: py - 9,
                                           anchor: nearRight ? "end" : "start", class: "point-label")
                    XMLTree.setAttribute(text, "font-size", "12")
                    group.addChild(text)
                }
            }
            canvas.root.addChild(group)
        }
        if plotted.isEmpty { canvas.drawNote("no data") }

        var entries = series.enumerated().map { index, series in
            SVGCanvas.LegendEntry(label: series.name) { lx, ly in
                XMLTree.element("circle", [("class", "legend-swatch"), ("cx", SVGCanvas.n(lx + 6)), ("cy", SVGCanvas.n(ly)), ("r", "5"), ("fill", color(index))])
            }
        }
        if !front.isEmpty {
            entries.append(SVGCanvas.LegendEntry(label: "Pareto front") { lx, ly in
                XMLTree.element("line", [("class", "legend-swatch"), ("x1", SVGCanvas.n(lx - 2)), ("y1", SVGCanvas.n(ly)), ("x2", SVGCanvas.n(lx + 14)),
                                         ("y2", SVGCanvas.n(ly)), ("stroke", "#D55E00"), ("stroke-width", "1.5"), ("stroke-dasharray", "6 4")])
            })
        }
        canvas.drawLegend(entries)
        return canvas.data()
    }
}
