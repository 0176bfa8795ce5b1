import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Reports

final class SVGChartTests: XCTestCase {
    static let scatter = ScatterChart(
        title: "Forgetting vs gain <MBPP & co>",
        xLabel: "TI (%)",
        yLabel: "BWT (%)",
        series: [
            ScatterChart.Series(name: "token masking", points: [
                .init(x: 3.2, y: -0.2, label: "stm τ=2.5"),
                .init(x: 1.0, y: -5.0, label: "top-fraction 20%"),
                .init(x: -1.0, y: -40.4, label: "random"),
                .init(x: .nan, y: 1, label: "broken"),
            ]),
            ScatterChart.Series(name: "data regimes", points: [
                .init(x: -2.2, y: -34.7, label: "ground-truth"),
                .init(x: 2.0, y: 0.5, label: "self-output"),
                .init(x: 4.0, y: -10, label: "rephrase"),
            ]),
        ]
    )

    /// All elements below `element` (inclusive) whose local name is `name` and, if given, whose
    /// `class` attribute contains `className`.
    func find(_ element: XMLElement, _ name: String, class className: String? = nil) -> [XMLElement] {
        var found: [XMLElement] = []
        func visit(_ node: XMLElement) {
            if (node.localName ?? node.name) == name,
               className.map({ wanted in (attr(node, "class") ?? "").split(separator: " ").contains { $0 == wanted } }) ?? true {
                found.append(node)
            }
            for child in node.children ?? [] { if let child = child as? XMLElement { visit(child) } }
        }
        visit(element)
        return found
    }

    /// The value of attribute `name` (FoundationXML on Linux does not find attributes with
    /// `attribute(forName:)` on elements in a default namespace, so look through `attributes`).
    func attr(_ element: XMLElement, _ name: String) -> String? {
        element.attributes?.first { ($0.localName ?? $0.name) == name }?.stringValue
    }

    func parse(_ chart: SVGChart) throws -> XMLElement {
        let root = try XCTUnwrap(XMLDocument(data: chart.svgData(), options: []).rootElement())
        XCTAssertEqual(root.localName ?? root.name, "svg")
        XCTAssertEqual(root.uri ?? root.namespaces?.first?.stringValue, "http://www.w3.org/2000/svg")
        XCTAssertNotNil(attr(root, "viewBox"))
        XCTAssertFalse(chart.svgString().contains("href"), "no external resources")
        return root
    }

    func testScatterHasAxesPointsLabelsLegendAndParetoFront() throws {
        let root = try parse(.scatter(Self.scatter))
        XCTAssertEqual(attr(root, "viewBox"), "0 0 800 480")
        XCTAssertEqual(find(root, "g", class: "x-axis").count, 1)
        XCTAssertEqual(find(root, "g", class: "y-axis").count, 1)
        XCTAssertGreaterThanOrEqual(find(root, "text", class: "tick-label").count, 6)
        XCTAssertEqual(find(root, "text", class: "axis-label").map(\.stringValue), ["TI (%)", "BWT (%)"])
        XCTAssertEqual(find(root, "text", class: "chart-title").first?.stringValue, "Forgetting vs gain <MBPP & co>")

        // One element per plotted point (the NaN point is left out), each with a tooltip.
        let points = find(root, "circle", class: "point")
        XCTAssertEqual(points.count, 6)
        XCTAssertTrue(points.allSatisfy { !find($0, "title").isEmpty })
        XCTAssertEqual(Set(find(root, "text", class: "point-label").compactMap(\.stringValue)),
                       ["stm τ=2.5", "top-fraction 20%", "random", "ground-truth", "self-output", "rephrase"])

        let legend = find(root, "g", class: "legend-entry").compactMap { find($0, "text").first?.stringValue }
        XCTAssertEqual(legend, ["token masking", "data regimes", "Pareto front"])

        // Maximising both: rephrase (4, -10), stm (3.2, -0.2) and self-output (2, 0.5).
        XCTAssertEqual(Self.scatter.paretoFront.compactMap(\.label), ["self-output", "stm τ=2.5", "rephrase"])
        XCTAssertEqual(find(root, "circle", class: "pareto-marker").count, 3)
        let polyline = try XCTUnwrap(find(root, "polyline", class: "pareto-line").first)
        XCTAssertEqual(attr(polyline, "points")?.split(separator: " ").count, 3)

        // Every point lies inside the plot area.
        for point in points {
            let cx = try XCTUnwrap(Double(attr(point, "cx") ?? ""))
            let cy = try XCTUnwrap(Double(attr(point, "cy") ?? ""))
            XCTAssertTrue((72...610).contains(cx) && (48...420).contains(cy), "\(cx), \(cy)")
        }
    }

    /// Past the palette's eight colours a series' colour repeats: on the second round its markers
    /// (points and legend swatch) are rings, so no two of 13 series look alike.
    func testSeriesPastThePaletteAreDrawnAsRings() throws {
        let chart = ScatterChart(title: "13 regimes", xLabel: "x", yLabel: "y", series: (0..<13).map { i in
            ScatterChart.Series(name: "regime \(i)", points: [.init(x: Double(i), y: Double(i % 5), label: nil)])
        })
        let root = try parse(.scatter(chart))
        func look(_ circle: XMLElement, group: XMLElement?) -> String {
            let fill = attr(circle, "fill") ?? group.flatMap { attr($0, "fill") } ?? ""
            return "\(fill)|\(attr(circle, "stroke") ?? "")"
        }
        let groups = find(root, "g", class: "series")
        XCTAssertEqual(groups.count, 13)
        let points = groups.map { look(find($0, "circle", class: "point")[0], group: $0) }
        XCTAssertEqual(Set(points).count, 13, "every series' points look different: \(points)")
        let swatches = find(root, "circle", class: "legend-swatch").map { look($0, group: nil) }
        XCTAssertEqual(swatches, points, "each legend swatch looks like its series' points")
        XCTAssertEqual(points.filter { $0.hasPrefix("#ffffff|") }.count, 5, "series 8-12 are rings")
    }

    func testParetoFront() {
        XCTAssertEqual(ParetoFront.indices(xs: [1, 2, 3, 2, 0], ys: [3, 2, 1, 1, 0]), [0, 1, 2])
        XCTAssertEqual(ParetoFront.indices(xs: [1, 1], ys: [1, 1]), [0, 1])
        XCTAssertEqual(ParetoFront.indices(xs: [1, 2, .nan], ys: [1, 0, 5], maximizeX: false), [0])
        XCTAssertEqual(ParetoFront.indices(xs: [1, 2, 3], ys: [3, 2, 1], maximizeX: false, maximizeY: false), [0, 1, 2])
        XCTAssertEqual(ParetoFront.indices(xs: [], ys: []), [])
    }

    func testHistogramWithThresholdAndOverlaidSeries() throws {
        let groundTruth = (0..<200).map { 1 + Double($0 % 50) * 0.3 }
        let selfOutput = (0..<300).map { 1 + Double($0 % 10) * 0.1 }
        let chart = HistogramChart(
            title: "Token perplexity",
            xLabel: "perplexity",
            series: [.init(name: "ground truth", values: groundTruth + [.nan, .infinity]),
                     .init(name: "self-output", values: selfOutput)],
            binCount: 20,
            threshold: .init(value: 2.5, label: "τ = 2.5"),
            normalization: .fraction
        )
        let counts = chart.binCounts()
        XCTAssertEqual(counts.map { $0.reduce(0, +) }, [200, 300])
        XCTAssertEqual(chart.binEdges().count, 21)
        let root = try parse(.histogram(chart))
        let series = find(root, "g", class: "series")
        XCTAssertEqual(series.count, 2)
        XCTAssertEqual(find(series[0], "rect", class: "bar").count, counts[0].filter { $0 > 0 }.count)
        XCTAssertEqual(find(series[1], "rect", class: "bar").count, counts[1].filter { $0 > 0 }.count)
        XCTAssertEqual(find(root, "line", class: "threshold-line").count, 1)
        XCTAssertEqual(find(root, "text", class: "threshold-label").first?.stringValue, "τ = 2.5")
        XCTAssertEqual(find(root, "text", class: "axis-label").map(\.stringValue), ["perplexity", "fraction of values"])
        let legend = find(root, "g", class: "legend-entry").compactMap { find($0, "text").first?.stringValue }
        XCTAssertEqual(legend, ["ground truth", "self-output", "τ = 2.5"])
    }

    func testLogScaleHistogram() throws {
        let values = (0..<500).map { pow(10, Double($0) / 100) } // 1 ... ~1e5
        let chart = HistogramChart(title: "log", xLabel: "perplexity", series: [.init(name: "gt", values: values + [0, -1])],
                                   binCount: 25, logScaleX: true, threshold: .init(value: 2.5, label: "τ"))
        let edges = chart.binEdges()
        XCTAssertEqual(edges.first ?? 0, 1, accuracy: 1e-9)
        XCTAssertEqual(edges.last ?? 0, values.last!, accuracy: 1e-6)
        XCTAssertEqual(chart.binCounts()[0].reduce(0, +), 500, "values <= 0 are dropped on a log scale")
        XCTAssertEqual(chart.binCounts()[0], [Int](repeating: 20, count: 25))
        let root = try parse(.histogram(chart))
        let ticks = find(find(root, "g", class: "x-axis")[0], "text", class: "tick-label").compactMap(\.stringValue)
        XCTAssertEqual(ticks, ["1", "10", "100", "1000", "10000"])
    }

    func testDegenerateChartsStillRender() throws {
        let empty = HistogramChart(title: "empty", xLabel: "x", series: [.init(name: "none", values: [])], logScaleX: true)
        XCTAssertEqual(empty.binEdges(), [])
        XCTAssertEqual(find(try parse(.histogram(empty)), "text", class: "note").first?.stringValue, "no data")
        let constant = HistogramChart(title: "c", xLabel: "x", series: [.init(name: "c", values: [3, 3, 3])], binCount: 4)
        XCTAssertEqual(constant.binCounts(), [[0, 0, 3, 0]])
        _ = try parse(.histogram(constant))
        let single = ScatterChart(title: "one\u{1}", xLabel: "x", yLabel: "y", series: [.init(name: "s", points: [.init(x: 0, y: 0)])])
        let root = try parse(.scatter(single))
        XCTAssertEqual(find(root, "circle", class: "point").count, 1)
        XCTAssertEqual(find(root, "title").first?.stringValue, "one")
        _ = try parse(.scatter(ScatterChart(title: "none", xLabel: "x", yLabel: "y", series: [])))
    }

    func testTicksAndLabels() {
        let scale = ChartScale(lower: 0, upper: 1, start: 0, end: 100)
        XCTAssertEqual(scale.ticks(), [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        XCTAssertEqual(scale.ticks().map(scale.label), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let wide = ChartScale(lower: -45, upper: 10, start: 0, end: 100)
        XCTAssertEqual(wide.ticks().map(wide.label), ["-40", "-30", "-20", "-10", "0", "10"])
        let log = ChartScale(lower: 0.5, upper: 30, start: 0, end: 100, logarithmic: true)
        XCTAssertEqual(log.ticks().map(log.label), ["0.5", "1", "2", "5", "10", "20"])
        XCTAssertEqual(SVGCanvas.n(-0.001), "0")
        XCTAssertEqual(SVGCanvas.n(12.5), "12.5")
    }

    func testWriteAndWellFormedForXmllint() throws {
        let directory = try TestSupport.temporaryDirectory(self)
        let file = directory.appendingPathComponent("plots/pareto.svg")
        try SVGChart.scatter(Self.scatter).write(to: file)
        XCTAssertNoThrow(try XMLDocument(contentsOf: file, options: []))
        if let (_, xmllint) = try? TestSupport.junitSchemaAndXmllint() {
            let process = Process()
            process.executableURL = xmllint
            process.arguments = ["--noout", file.path]
            try process.run()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0)
        }
    }
}
