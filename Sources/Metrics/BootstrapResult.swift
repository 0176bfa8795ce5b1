/// A percentile-bootstrap estimate of one statistic (by default the mean of per-item scores).
public struct BootstrapResult: Sendable, Codable, Hashable {
    /// The statistic on the original sample (not the mean of the replicates).
    public var estimate: Double
    /// Percentile interval: the `(1 - level)/2` and `(1 + level)/2` quantiles of the replicates.
    public var interval: ConfidenceInterval
    /// Standard deviation (ddof = 1) of the replicates: the bootstrap standard error
    /// (0 when `resamples == 1`).
    public var standardError: Double
    /// Number of items resampled.
    public var count: Int
    /// The configuration used (resamples, seed, level).
    public var configuration: BootstrapConfiguration

    /// Memberwise initialiser.
    public init(estimate: Double, interval: ConfidenceInterval, standardError: Double, count: Int, configuration: BootstrapConfiguration) {
        self.estimate = estimate
        self.interval = interval
        self.standardError = standardError
        self.count = count
        self.configuration = configuration
    }
}
