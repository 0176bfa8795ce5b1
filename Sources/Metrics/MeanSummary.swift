/// The aggregate of one per-item metric over a task: mean, standard error and a 95% (or other)
/// confidence interval.
///
/// Works for 0/1 metrics (accuracy, exact match: the mean is a proportion in `0...1`) and for
/// continuous ones (a per-item F1, a log-likelihood). Definitions follow lm-evaluation-harness:
/// the standard error is `std(x, ddof=1) / sqrt(n)` (`mean_stderr`). The interval of
/// ``init(values:level:)`` is `mean ± z * stderr` with `z = Φ⁻¹((1 + level) / 2)` (``IntervalKind/normal``);
/// that of ``init(outcomes:level:)`` is the Wilson score interval (``IntervalKind/wilson``), which
/// stays inside `0...1` (an accuracy of 0.15 on 20 items: [0.052, 0.360], not [-0.011, 0.311]).
public struct MeanSummary: Sendable, Codable, Hashable {
    /// Number of items `n` (`>= 1`).
    public var count: Int
    /// Arithmetic mean of the per-item values, in the metric's units.
    public var mean: Double
    /// Sample standard deviation (ddof = 1); `nil` when `count < 2`.
    public var standardDeviation: Double?
    /// Standard error of the mean, `standardDeviation / sqrt(count)`; `nil` when `count < 2`.
    public var standardError: Double?
    /// The interval around ``mean``: normal (`nil` when `count < 2`) or Wilson (for outcomes, any count).
    public var interval: ConfidenceInterval?
    /// How ``interval`` was computed; `nil` when there is none.
    public var intervalKind: IntervalKind?

    /// Memberwise initialiser (for decoding or tests); prefer ``init(values:level:)``.
    public init(count: Int, mean: Double, standardDeviation: Double?, standardError: Double?, interval: ConfidenceInterval?,
                intervalKind: IntervalKind? = nil) {
        self.count = count
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.standardError = standardError
        self.interval = interval
        self.intervalKind = interval == nil ? nil : (intervalKind ?? .normal)
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
            interval: se.map { ConfidenceInterval.normal(estimate: mean, standardError: $0, level: level) },
            intervalKind: .normal
        )
    }

    /// Summarises 0/1 outcomes (`true` = correct). The mean is the proportion correct; the standard
    /// error is the ddof = 1 one lm-eval reports, `sqrt(p(1-p) * n/(n-1)) / sqrt(n)`; the interval
    /// is the Wilson score interval (``ConfidenceInterval/wilson(successes:count:level:)``), present
    /// from one item on.
    ///
    /// - Throws: as ``init(values:level:)``.
    public init(outcomes: [Bool], level: Double = 0.95) throws {
        let normal = try MeanSummary(values: outcomes.map { $0 ? 1.0 : 0.0 }, level: level)
        self = normal
        interval = ConfidenceInterval.wilson(successes: outcomes.count { $0 }, count: outcomes.count, level: level)
        intervalKind = .wilson
    }

    /// Summarises a metric's per-item values with the interval that fits them: Wilson when every
    /// value is 0 or 1 (the mean is a proportion), normal otherwise.
    /// - Throws: as ``init(values:level:)``.
    public static func summarizing(_ values: [Double], level: Double = 0.95) throws -> MeanSummary {
        if !values.isEmpty, values.allSatisfy({ $0 == 0 || $0 == 1 }) {
            return try MeanSummary(outcomes: values.map { $0 == 1 }, level: level)
        }
        return try MeanSummary(values: values, level: level)
    }
}
