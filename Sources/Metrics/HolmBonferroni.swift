/// Holm's step-down adjustment of p-values for multiple comparisons (Holm 1979), controlling the
/// family-wise error rate. Equals `statsmodels.stats.multitest.multipletests(p, method="holm")[1]`.
///
/// With the `m` p-values sorted ascending, `p(1) <= ... <= p(m)`, the adjusted values are
///
///     p̃(i) = min(1, max_{j <= i} (m - j + 1) · p(j))
///
/// returned in the input order. They are monotone in the raw p-values and capped at 1; rejecting
/// every hypothesis with `p̃ < alpha` is Holm's procedure at level `alpha`.
public enum HolmBonferroni {
    /// Adjusted p-values in input order.
    ///
    /// Ties keep their input order (stable sort), which does not change the result. A NaN p-value
    /// stays NaN, still counts toward `m` (conservative), and is ordered last.
    public static func adjust(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        guard m > 0 else { return [] }
        let order = pValues.indices.sorted { a, b in
            let pa = pValues[a], pb = pValues[b]
            if pa.isNaN || pb.isNaN {
                if pa.isNaN != pb.isNaN { return pb.isNaN }  // numbers before NaN
                return a < b
            }
            return pa < pb || (pa == pb && a < b)
        }
        var adjusted = [Double](repeating: .nan, count: m)
        var running = 0.0
        for (rank, index) in order.enumerated() {
            let p = pValues[index]
            guard !p.isNaN else { continue }
            running = max(running, min(1, Double(m - rank) * p))
            adjusted[index] = running
        }
        return adjusted
    }
}
