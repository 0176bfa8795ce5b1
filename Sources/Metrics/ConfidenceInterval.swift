/// A two-sided confidence interval `[lower, upper]` at a nominal coverage ``level``.
///
/// Bounds are in the units of the quantity they bound (for a 0/1 metric: a proportion in `0...1`,
/// not percentage points). `level` is a probability in `(0, 1)`, e.g. `0.95`.
public struct ConfidenceInterval: Sendable, Codable, Hashable {
    /// Lower bound.
    public var lower: Double
    /// Upper bound (`>= lower`).
    public var upper: Double
    /// Nominal coverage probability in `(0, 1)`, e.g. `0.95`.
    public var level: Double

    /// Creates an interval. `lower <= upper` is expected but not enforced.
    public init(lower: Double, upper: Double, level: Double) {
        self.lower = lower
        self.upper = upper
        self.level = level
    }

    /// `upper - lower`.
    public var width: Double { upper - lower }

    /// Whether `value` lies in the closed interval.
    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }

    /// The normal-approximation interval `estimate ± z * standardError`, where `z` is the
    /// standard normal quantile at `(1 + level) / 2` (1.959963984540054 for `level = 0.95`).
    public static func normal(estimate: Double, standardError: Double, level: Double = 0.95) -> ConfidenceInterval {
        let z = StandardNormal.quantile((1 + level) / 2)
        return ConfidenceInterval(lower: estimate - z * standardError, upper: estimate + z * standardError, level: level)
    }

    /// The Wilson score interval for `successes` out of `count` 0/1 outcomes (Wilson 1927):
    ///
    ///     centre = (p̂ + z²/2n) / (1 + z²/n),  half = z / (1 + z²/n) · sqrt(p̂(1-p̂)/n + z²/4n²)
    ///
    /// with `p̂ = successes / count` and `z = Φ⁻¹((1 + level) / 2)`. The bounds always lie in
    /// `0...1` (0 exactly when `successes == 0`, 1 exactly when `successes == count`); it is
    /// statsmodels' `proportion_confint(method="wilson")`.
    /// - Precondition: `0 <= successes <= count`, `count >= 1`, `level` in `(0, 1)`.
    public static func wilson(successes: Int, count: Int, level: Double = 0.95) -> ConfidenceInterval {
        precondition(count >= 1 && successes >= 0 && successes <= count, "wilson needs 0 <= successes <= count, count >= 1")
        let z = StandardNormal.quantile((1 + level) / 2)
        let n = Double(count)
        let p = Double(successes) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        // Clamp rounding only: at p = 0 or 1 the closed form gives the bound up to an ulp.
        let lower = successes == 0 ? 0 : max(0, centre - half)
        let upper = successes == count ? 1 : min(1, centre + half)
        return ConfidenceInterval(lower: lower, upper: upper, level: level)
    }
}
