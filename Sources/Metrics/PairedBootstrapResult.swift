/// A paired bootstrap of the mean difference `candidate - base` over the same items.
///
/// ## p-value
/// Two-sided, by inverting the percentile interval, with the +1 correction
/// (Davison & Hinkley 1997, §4.4; North, Curtis & Sham 2002):
///
///     p = min(1, 2 · min(1 + #{d*_b <= 0}, 1 + #{d*_b >= 0}) / (B + 1))
///
/// where `d*_b` is the mean difference in resample `b`. It is never 0 (the smallest value is
/// `2 / (B + 1)`), and it agrees with the interval: `p < 1 - level` essentially exactly when 0 lies
/// outside the percentile interval. When every item's difference is 0, every `d*_b` is 0 and `p = 1`.
public struct PairedBootstrapResult: Sendable, Codable, Hashable {
    /// Observed mean difference `mean(candidate) - mean(base)` (the mean of per-item differences).
    public var meanDifference: Double
    /// Percentile interval of the resampled mean differences.
    public var interval: ConfidenceInterval
    /// Two-sided p-value for H0: mean difference = 0, defined above; in `(0, 1]`.
    public var pValue: Double
    /// Standard deviation (ddof = 1) of the resampled mean differences.
    public var standardError: Double
    /// Number of paired items.
    public var count: Int
    /// The configuration used (resamples, seed, level).
    public var configuration: BootstrapConfiguration

    /// Memberwise initialiser.
    public init(meanDifference: Double, interval: ConfidenceInterval, pValue: Double, standardError: Double, count: Int, configuration: BootstrapConfiguration) {
        self.meanDifference = meanDifference
        self.interval = interval
        self.pValue = pValue
        self.standardError = standardError
        self.count = count
        self.configuration = configuration
    }
}
