/// The unbiased estimator of pass@k of Chen et al. (2021), "Evaluating Large Language Models
/// Trained on Code": for an item with `n` samples of which `c` pass, the probability that at least
/// one of `k` samples drawn without replacement passes, `1 - C(n-c, k) / C(n, k)`.
public enum PassAtK {
    /// The estimate for one item, in [0, 1]. Computed as `1 - Π_{i=n-c+1}^{n} (1 - k/i)` (the
    /// paper's numerically stable form: no binomial coefficient is ever formed); 1 when fewer than
    /// `k` samples fail.
    /// - Parameters:
    ///   - samples: n ≥ 1.
    ///   - correct: c in 0...n.
    ///   - k: in 1...n.
    /// - Precondition: the ranges above.
    public static func estimate(samples n: Int, correct c: Int, k: Int) -> Double {
        precondition(n >= 1 && c >= 0 && c <= n && k >= 1 && k <= n, "pass@k needs 1 ≤ k ≤ n and 0 ≤ c ≤ n (n \(n), c \(c), k \(k))")
        if n - c < k { return 1 }
        guard c > 0 else { return 0 }
        var product = 1.0
        for i in (n - c + 1) ... n { product *= 1 - Double(k) / Double(i) }
        return 1 - product
    }
}
