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
}
