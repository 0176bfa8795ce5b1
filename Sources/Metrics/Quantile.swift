/// Quantiles of data: the one quantile function of the package (bootstrap intervals, perplexity
/// profiles, training-data summaries).
public enum Quantile {
    /// The q-quantile of sorted data with linear interpolation between order statistics
    /// (`numpy.quantile(x, q)` with its default `linear` method, Hyndman & Fan type 7): position
    /// `h = (n - 1) q`, value `x[⌊h⌋] + (h - ⌊h⌋)(x[⌊h⌋+1] - x[⌊h⌋])`, interpolated from the nearer
    /// end as numpy's `_lerp` does (monotone, exact at both ends, bit for bit numpy's).
    ///
    /// - Parameters:
    ///   - sorted: the data, ascending.
    ///   - q: the level, clamped to `[0, 1]`.
    /// - Returns: the quantile; NaN when `sorted` is empty.
    public static func linear(sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let h = Double(sorted.count - 1) * min(max(q, 0), 1)
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, sorted.count - 1)
        let t = h - Double(lo)
        let a = sorted[lo], b = sorted[hi]
        return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t
    }
}
