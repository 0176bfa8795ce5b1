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
        // Past the palette's eight colours a series' colour repeats: its markers are drawn hollow
        // (a ring of the colour) on every other round of the palette, so no two series look alike.
        let hollow = { (index: Int) in (index / SVGCanvas.palette.count) % 2 == 1 }
        let marker = { (index: Int) -> [(String, String?)] in
            hollow(index) ? [("fill", "#ffffff"), ("stroke", color(index)), ("stroke-width", "2")] : []
        }

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

        // Label placement: each label takes the first spot around its point, nearest first (six
        // directions, then the same farther out, with a leader line), whose box overlaps no point,
        // Pareto ring or label placed before it and stays inside the plot area; when none is free,
        // the spot that overlaps least.
        struct Box { var x0, y0, x1, y1: Double
            func overlap(_ o: Box) -> Double { max(0, min(x1, o.x1) - max(x0, o.x0)) * max(0, min(y1, o.y1) - max(y0, o.y0)) }
        }
        var obstacles: [Box] = series.flatMap { $0.points }.filter { $0.x.isFinite && $0.y.isFinite }.map { p in
            let (px, py) = (x.position(p.x), y.position(p.y))
            return Box(x0: px - 6, y0: py - 6, x1: px + 6, y1: py + 6)
        }
        obstacles += (showParetoFront ? paretoFront : []).map { p in
            let (px, py) = (x.position(p.x), y.position(p.y))
            return Box(x0: px - 10, y0: py - 10, x1: px + 10, y1: py + 10)
        }
        struct Spot { var x, y: Double; var anchor: String; var far: Bool }
        func place(_ label: String, px: Double, py: Double) -> Spot {
            let w = SVGCanvas.textWidth(label, fontSize: 12) * 1.05
            var spots: [Spot] = []
            for level in 0 ..< 4 {
                let d = Double(level)
                let (dx, up, down) = (9 + 16 * d, -8 - 13 * d, 16 + 13 * d)
                spots += [Spot(x: px + dx, y: py + up, anchor: "start", far: level > 0), Spot(x: px + dx, y: py + down, anchor: "start", far: level > 0),
                          Spot(x: px - dx, y: py + up, anchor: "end", far: level > 0), Spot(x: px - dx, y: py + down, anchor: "end", far: level > 0),
                          Spot(x: px, y: py - 11 - 13 * d, anchor: "middle", far: level > 0), Spot(x: px, y: py + 21 + 13 * d, anchor: "middle", far: level > 0),
                          Spot(x: px + dx + 6, y: py + 4, anchor: "start", far: level > 0), Spot(x: px - dx - 6, y: py + 4, anchor: "end", far: level > 0)]
            }
            func box(_ spot: Spot) -> Box {
                let x0 = spot.anchor == "start" ? spot.x : spot.anchor == "end" ? spot.x - w : spot.x - w / 2
                return Box(x0: x0, y0: spot.y - 11, x1: x0 + w, y1: spot.y + 3)
            }
            func cost(_ b: Box) -> Double {
                let outside = max(0, canvas.plotLeft - b.x0) + max(0, b.x1 - canvas.plotRight) + max(0, canvas.plotTop - b.y0) + max(0, b.y1 - canvas.plotBottom)
                return obstacles.map { $0.overlap(b) }.reduce(0, +) + outside * 100
            }
            let chosen = spots.first { cost(box($0)) == 0 } ?? spots.min { cost(box($0)) < cost(box($1)) }!
            obstacles.append(box(chosen))
            return chosen
        }

        for (index, series) in series.enumerated() {
            let group = XMLTree.element("g", [("class", "series"), ("data-series", XMLSanitizer.singleLine(series.name)), ("fill", color(index))])
            for point in series.points where point.x.isFinite && point.y.isFinite {
                let (px, py) = (x.position(point.x), y.position(point.y))
                let circle = XMLTree.element("circle", [("class", "point"), ("cx", SVGCanvas.n(px)), ("cy", SVGCanvas.n(py)), ("r", "5")] + marker(index))
                let tooltip = [point.label, "(\(ReportNumberFormat.number(point.x)), \(ReportNumberFormat.number(point.y)))"]
                    .compactMap { $0 }.joined(separator: " ")
                circle.addChild(XMLTree.element("title", text: XMLSanitizer.singleLine(tooltip)))
                group.addChild(circle)
                if let label = point.label, !label.isEmpty {
                    let shown = SVGCanvas.shortened(label, to: 32)
                    let spot = place(shown, px: px, py: py)
                    if spot.far {
                        // A leader line from the point to the label's nearer edge.
                        let lx = spot.anchor == "start" ? spot.x - 2 : spot.anchor == "end" ? spot.x + 2 : spot.x
                        let ly = spot.y < py ? spot.y + 2 : spot.y - 11
                        group.addChild(XMLTree.element("line", [("class", "label-leader"), ("x1", SVGCanvas.n(px)), ("y1", SVGCanvas.n(py)),
                                                                ("x2", SVGCanvas.n(lx)), ("y2", SVGCanvas.n(ly)), ("stroke", "#999999"),
                                                                ("stroke-width", "0.75")]))
                    }
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
                XMLTree.element("circle", [("class", "legend-swatch"), ("cx", SVGCanvas.n(lx + 6)), ("cy", SVGCanvas.n(ly)), ("r", "5")]
                                + (hollow(index) ? marker(index) : [("fill", color(index))]))
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
