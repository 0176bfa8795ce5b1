import Foundation
import Metrics

/// The distribution of a dataset's response-token perplexities under the base model, to choose TAU
/// (Wu et al., Table 1 and Fig. 3): quantiles, a histogram of log perplexity, and the fraction
/// `stm:TAU` would mask at each candidate TAU.
public struct PerplexitySummary: Sendable, Equatable {
    /// One histogram bin over natural-log perplexity: `[lower, upper)` (the last bin includes its upper edge).
    public struct Bin: Sendable, Equatable {
        public var lower: Double
        public var upper: Double
        public var count: Int
    }

    /// Number of response tokens summarised (the trainable ones: position >= 1).
    public var tokenCount: Int
    public var examples: Int
    /// `(q, value)`: the q-quantile of perplexity (linear interpolation between order statistics,
    /// numpy's default) for q in ``quantileLevels``.
    public var quantiles: [(q: Double, value: Double)]
    public var mean: Double
    public var histogram: [Bin]
    /// `(tau, fraction)`: the fraction of response tokens with ppl > tau.
    public var maskedFractions: [(tau: Double, fraction: Double)]

    public static let quantileLevels = [0.10, 0.25, 0.50, 0.75, 0.90, 0.99]

    /// Every response token's perplexity, ascending.
    public private(set) var sortedPerplexities: [Double]

    public static func == (a: PerplexitySummary, b: PerplexitySummary) -> Bool {
        a.tokenCount == b.tokenCount && a.examples == b.examples && a.mean == b.mean && a.histogram == b.histogram
            && a.quantiles.elementsEqual(b.quantiles, by: { $0 == $1 }) && a.maskedFractions.elementsEqual(b.maskedFractions, by: { $0 == $1 })
    }

    /// Summarises the response tokens of `scores` with `bins` equal-width bins of log perplexity
    /// from 0 to the largest value.
    public init(scores: [ScoredExample], taus: [Double], bins: Int = 12) {
        var values: [Double] = []
        for s in scores { for t in s.tokens.trainablePositions { values.append(s.perplexity(at: t)) } }
        values.sort()
        examples = scores.count
        tokenCount = values.count
        mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
        sortedPerplexities = values
        quantiles = Self.quantileLevels.map { ($0, Quantile.linear(sorted: values, $0)) }
        maskedFractions = taus.map { tau in (tau, values.isEmpty ? 0 : Double(values.filter { $0 > tau }.count) / Double(values.count)) }
        let logs = values.map { Foundation.log(max($0, 1)) }
        let top = max(logs.last ?? 1, 1e-9)
        let width = top / Double(max(bins, 1))
        var counts = [Int](repeating: 0, count: max(bins, 1))
        for l in logs { counts[min(counts.count - 1, Int(l / width))] += 1 }
        histogram = counts.enumerated().map { Bin(lower: Double($0) * width, upper: Double($0 + 1) * width, count: $1) }
    }

    /// The q-quantile of the response tokens' perplexity (``Metrics/Quantile/linear(sorted:_:)``); NaN when there are none.
    public func quantile(_ q: Double) -> Double { Quantile.linear(sorted: sortedPerplexities, q) }

    /// The summary as text for a terminal.
    public func render() -> String {
        func f(_ v: Double) -> String { String(format: v < 10 ? "%.3f" : v < 1e5 ? "%.1f" : "%.2e", v) }
        var lines = ["response tokens: \(tokenCount) in \(examples) examples; mean ppl \(f(mean))"]
        lines.append("quantiles of ppl: " + quantiles.map { "p\(Int(($0.q * 100).rounded())) \(f($0.value))" }.joined(separator: "  "))
        lines.append("histogram of ln(ppl) (ppl range, tokens):")
        let largest = max(histogram.map(\.count).max() ?? 1, 1)
        for bin in histogram {
            let bar = String(repeating: "#", count: Int((Double(bin.count) / Double(largest) * 40).rounded(.up)))
            let range = "ln \(String(format: "%5.2f", bin.lower))-\(String(format: "%5.2f", bin.upper)) (ppl \(f(Foundation.exp(bin.lower)))-\(f(Foundation.exp(bin.upper))))"
            lines.append("  \(range.padding(toLength: 44, withPad: " ", startingAt: 0)) \(String(format: "%7d", bin.count)) \(bar)")
        }
        lines.append("masked by stm:TAU (fraction of response tokens with ppl > TAU):")
        for (tau, fraction) in maskedFractions {
            lines.append("  TAU \(f(tau)): \(String(format: "%.1f", fraction * 100))%")
        }
        return lines.joined(separator: "\n")
    }
}
