/// The aggregate of one per-item metric over a task: mean, standard error and a 95% (or other)
/// normal-approximation confidence interval.
///
/// Works for 0/1 metrics (accuracy, exact match: the mean is a proportion in `0...1`) and for
/// continuous ones (a per-item F1, a log-likelihood). Definitions follow lm-evaluation-harness:
/// the standard error is `std(x, ddof=1) / sqrt(n)` (`mean_stderr`), and the interval is
/// `mean ± z * stderr` with `z = Φ⁻¹((1 + level) / 2)`.
public struct MeanSummary: Sendable, Codable, Hashable {
    /// Number of items `n` (`>= 1`).
    public var count: Int
    /// Arithmetic mean of the per-item values, in the metric's units.
    public var mean: Double
    /// Sample standard deviation (ddof = 1); `nil` when `count < 2`.
    public var standardDeviation: Double?
    /// Standard error of the mean, `standardDeviation / sqrt(count)`; `nil` when `count < 2`.
    public var standardError: Double?
    /// Normal-approximation interval around ``mean``; `nil` when `count < 2`.
    public var interval: ConfidenceInterval?

    /// Memberwise initialiser (for decoding or tests); prefer ``init(values:level:)``.
    public init(count: Int, mean: Double, standardDeviation: Double?, standardError: Double?, interval: ConfidenceInterval?) {
        self.count = count
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.standardError = standardError
        self.interval = interval
    }

    /// Summarises per-item values.
    ///
    /// - Parameters:
    ///   - values: one score per item; must be finite.
    ///   - level: interval coverage in `(0, 1)`, default `0.95`.
    /// - Throws: ``MetricsError/notEnoughItems(count:minimum:)`` when `values` is empty,
    ///   ``MetricsError/nonFiniteValue(index:)`` for NaN or infinite values,
    ///   ``MetricsError/invalidParameter(name:value:expected:)`` for a bad `level`.
    public init(values: [Double], level: Double = 0.95) throws {
        try MetricsError.checkLevel(level)
        guard let mean = SampleStatistics.mean(values) else {
            throw MetricsError.notEnoughItems(count: 0, minimum: 1)
        }
        try MetricsError.checkFinite(values)
        let sd = SampleStatistics.sampleStandardDeviation(values)
        let se = sd.map { $0 / Double(values.count).squareRoot() }
        self.init(
            count: values.count,
            mean: mean,
            standardDeviation: sd,
            standardError: se,
            interval: se.map { ConfidenceInterval.normal(estimate: mean, standardError: $0, level: level) }
        )
    }

    /// Summarises 0/1 outcomes (`true` = correct). The mean is the proportion correct; the standard
    /// error is the ddof = 1 one lm-eval reports, `sqrt(p(1-p) * n/(n-1)) / sqrt(n)`.
    ///
    /// - Throws: as ``init(values:level:)``.
    public init(outcomes: [Bool], level: Double = 0.95) throws {
        try self.init(values: outcomes.map { $0 ? 1.0 : 0.0 }, level: level)
    }
}
