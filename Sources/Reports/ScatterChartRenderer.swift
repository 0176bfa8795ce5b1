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
        // An axis whose smallest value is exactly 0 (a share, a count) starts at 0 rather than below it.
        let x = ChartScale.padded(plotted.map(\.point.x), start: canvas.plotLeft, end: canvas.plotRight,
                                  includeZero: plotted.map(\.point.x).min() == 0)
        let y = ChartScale.padded(plotted.map(\.point.y), start: canvas.plotBottom, end: canvas.plotTop,
                                  includeZero: plotted.map(\.point.y).min() == 0)
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

        // Label placement: each label takes the first of six spots around its point whose box
        // overlaps no point and no label placed before it (else the spot overlapping least), inside
        // the plot area.
        struct Box { var x0, y0, x1, y1: Double
            func overlap(_ o: Box) -> Double { max(0, min(x1, o.x1) - max(x0, o.x0)) * max(0, min(y1, o.y1) - max(y0, o.y0)) }
        }
        var obstacles: [Box] = series.flatMap { $0.points }.filter { $0.x.isFinite && $0.y.isFinite }.map { p in
            let (px, py) = (x.position(p.x), y.position(p.y))
            return Box(x0: px - 6, y0: py - 6, x1: px + 6, y1: py + 6)
        }
        func place(_ label: String, px: Double, py: Double) -> (x: Double, y: Double, anchor: String) {
            let w = SVGCanvas.textWidth(label, fontSize: 12)
            let spots: [(Double, Double, String)] = [(px + 9, py - 8, "start"), (px + 9, py + 16, "start"), (px - 9, py - 8, "end"),
                                                     (px - 9, py + 16, "end"), (px, py - 11, "middle"), (px, py + 21, "middle")]
            func box(_ spot: (Double, Double, String)) -> Box {
                let x0 = spot.2 == "start" ? spot.0 : spot.2 == "end" ? spot.0 - w : spot.0 - w / 2
                return Box(x0: x0, y0: spot.1 - 11, x1: x0 + w, y1: spot.1 + 3)
            }
            func cost(_ b: Box) -> Double {
                let outside = max(0, canvas.plotLeft - b.x0) + max(0, b.x1 - canvas.plotRight) + max(0, canvas.plotTop - b.y0) + max(0, b.y1 - canvas.plotBottom)
                return obstacles.map { $0.overlap(b) }.reduce(0, +) + outside * 100
            }
            let best = spots.min { cost(box($0)) < cost(box($1)) }!
            let chosen = spots.first { cost(box($0)) == 0 } ?? best
            obstacles.append(box(chosen))
            return (chosen.0, chosen.1, chosen.2)
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
                    let shown = SVGCanvas.shortened(label, to: 32)
                    let spot = place(shown, px: px, py: py)
                    let text = canvas.text(shown, x: spot.x, y: spot.y, anchor: spot.anchor, class: "point-label")
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
