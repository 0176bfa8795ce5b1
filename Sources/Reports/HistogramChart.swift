import Foundation

/// A histogram of one or more overlaid series over shared bins, such as the per-token perplexity of
/// ground-truth answers against the model's own answers, with an optional vertical threshold line
/// (such as STM's τ).
///
/// Render it with ``SVGChart``. Non-finite values are ignored, and so are values ≤ 0 on a log-scale x
/// axis.
public struct HistogramChart: Sendable, Codable, Hashable {
    /// One set of values, drawn as semi-transparent bars in one colour with one legend entry.
    public struct Series: Sendable, Codable, Hashable {
        /// The legend text.
        public var name: String
        /// The raw values (not counts); the chart bins them.
        public var values: [Double]

        /// A series; see the properties for the meaning of each argument.
        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    /// A vertical line across the plot, with a label.
    public struct Threshold: Sendable, Codable, Hashable {
        /// The x position, in data units (must be > 0 on a log scale to be drawn).
        public var value: Double
        /// The label written beside the line, such as `τ = 2.5`.
        public var label: String

        /// A threshold; see the properties for the meaning of each argument.
        public init(value: Double, label: String) {
            self.value = value
            self.label = label
        }
    }

    /// What the bar heights show.
    public enum Normalization: String, Sendable, Codable, Hashable {
        /// The number of values in the bin.
        case count
        /// The share of the series' plotted values in the bin (0–1), so series of different sizes compare.
        case fraction
    }

    /// The chart's title.
    public var title: String
    /// The x axis's label, with units (`token perplexity`).
    public var xLabel: String
    /// The y axis's label; `nil` uses `count` or `fraction of values`.
    public var yLabel: String?
    /// The series, drawn in order.
    public var series: [Series]
    /// The number of bins (clamped to 1...200; default 30).
    public var binCount: Int
    /// Whether bins and the x axis are logarithmic (base 10); default `false`.
    public var logScaleX: Bool
    /// The optional vertical threshold line.
    public var threshold: Threshold?
    /// What bar heights show (default ``Normalization/count``).
    public var normalization: Normalization
    /// The canvas size.
    public var size: ChartSize

    /// A histogram; see the properties for the meaning of each argument.
    public init(
        title: String,
        xLabel: String,
        yLabel: String? = nil,
        series: [Series],
        binCount: Int = 30,
        logScaleX: Bool = false,
        threshold: Threshold? = nil,
        normalization: Normalization = .count,
        size: ChartSize = ChartSize()
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.binCount = binCount
        self.logScaleX = logScaleX
        self.threshold = threshold
        self.normalization = normalization
        self.size = size
    }

    /// Whether `value` can be placed on the x axis.
    func isPlottable(_ value: Double) -> Bool {
        value.isFinite && (!logScaleX || value > 0)
    }

    /// The `binCount + 1` shared bin edges, increasing (equal widths, in log10 space on a log scale),
    /// spanning every plotted value; empty when no value can be plotted.
    public func binEdges() -> [Double] {
        let values = series.flatMap(\.values).filter(isPlottable)
        guard var lower = values.min(), var upper = values.max() else { return [] }
        let bins = min(max(binCount, 1), 200)
        if logScaleX {
            (lower, upper) = (log10(lower), log10(upper))
        }
        if upper <= lower { (lower, upper) = (lower - 0.5, upper + 0.5) }
        let edges = (0...bins).map { lower + (upper - lower) * Double($0) / Double(bins) }
        return logScaleX ? edges.map { pow(10, $0) } : edges
    }

    /// The number of each series' values in each bin (`counts[series][bin]`). A value equal to an inner
    /// edge falls in the bin to its right; the largest value falls in the last bin.
    public func binCounts() -> [[Int]] {
        let edges = binEdges()
        guard edges.count >= 2 else { return series.map { _ in [] } }
        let bins = edges.count - 1
        let (lower, upper) = logScaleX ? (log10(edges[0]), log10(edges[bins])) : (edges[0], edges[bins])
        return series.map { series in
            var counts = [Int](repeating: 0, count: bins)
            for value in series.values where isPlottable(value) {
                let v = logScaleX ? log10(value) : value
                let index = Int(((v - lower) / (upper - lower) * Double(bins)).rounded(.down))
                counts[min(max(index, 0), bins - 1)] += 1
            }
            return counts
        }
    }
}
