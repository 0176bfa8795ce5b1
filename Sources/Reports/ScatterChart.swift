/// A scatter plot of labelled points, such as one point per fine-tuning regime with target improvement
/// on x and backward transfer on y, with its Pareto front marked.
///
/// Render it with ``SVGChart``. Points with a non-finite coordinate are left out of the plot (and of
/// the front).
public struct ScatterChart: Sendable, Codable, Hashable {
    /// One point.
    public struct Point: Sendable, Codable, Hashable {
        /// The horizontal coordinate, in the x axis's units.
        public var x: Double
        /// The vertical coordinate, in the y axis's units.
        public var y: Double
        /// A label written next to the point (shortened to 32 characters), such as `stm τ=2.5`.
        public var label: String?

        /// A point; see the properties for the meaning of each argument.
        public init(x: Double, y: Double, label: String? = nil) {
            self.x = x
            self.y = y
            self.label = label
        }
    }

    /// A named group of points drawn in one colour, with one legend entry.
    public struct Series: Sendable, Codable, Hashable {
        /// The legend text.
        public var name: String
        /// The points.
        public var points: [Point]

        /// A series; see the properties for the meaning of each argument.
        public init(name: String, points: [Point]) {
            self.name = name
            self.points = points
        }
    }

    /// The chart's title.
    public var title: String
    /// The x axis's label, with units (`TI (%)`).
    public var xLabel: String
    /// The y axis's label, with units (`BWT (%)`).
    public var yLabel: String
    /// The series, drawn in order with the palette's colours.
    public var series: [Series]
    /// Whether to mark the Pareto front over all series' points (default `true`).
    public var showParetoFront: Bool
    /// Whether larger x is better for the Pareto front (default `true`).
    public var maximizeX: Bool
    /// Whether larger y is better for the Pareto front (default `true`).
    public var maximizeY: Bool
    /// The canvas size.
    public var size: ChartSize

    /// A scatter chart; see the properties for the meaning of each argument.
    public init(
        title: String,
        xLabel: String,
        yLabel: String,
        series: [Series],
        showParetoFront: Bool = true,
        maximizeX: Bool = true,
        maximizeY: Bool = true,
        size: ChartSize = ChartSize()
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.showParetoFront = showParetoFront
        self.maximizeX = maximizeX
        self.maximizeY = maximizeY
        self.size = size
    }

    /// All plotted points (finite coordinates), with their series index, in drawing order.
    var plottedPoints: [(series: Int, point: Point)] {
        series.enumerated().flatMap { index, series in
            series.points.filter { $0.x.isFinite && $0.y.isFinite }.map { (index, $0) }
        }
    }

    /// The points on the Pareto front, ordered by increasing x.
    public var paretoFront: [Point] {
        let points = plottedPoints.map(\.point)
        return ParetoFront.indices(xs: points.map(\.x), ys: points.map(\.y), maximizeX: maximizeX, maximizeY: maximizeY)
            .map { points[$0] }
    }
}
