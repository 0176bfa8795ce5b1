import Harness

/// One metric compared between a base and a candidate run over paired items, from
/// ``Harness/MetricSpec/comparePaired(itemCount:bootstrap:base:candidate:)``.
public struct PairedMetricComparison: Sendable, Hashable {
    /// The test behind ``pValue`` (its raw value is what results files record).
    public enum Test: String, Sendable, Codable, Hashable {
        /// Means of 0/1 items: exact McNemar test on the discordant pairs.
        case exactMcNemar = "exact_mcnemar"
        /// Other metrics: paired percentile bootstrap.
        case pairedBootstrap = "paired_bootstrap"
    }

    /// The base run's task-level value.
    public var base: Double
    /// The candidate run's task-level value.
    public var candidate: Double
    /// `candidate - base`, in the metric's units.
    public var difference: Double
    /// `difference × 100` (percentage points) for mean metrics whose two values lie in `0...1`; nil otherwise.
    public var differencePoints: Double?
    /// `difference / base × 100`; nil when `base` is 0.
    public var relativeChangePercent: Double?
    /// 95% interval of `candidate - base`; nil when it cannot be formed.
    public var interval: ConfidenceInterval?
    /// Two-sided p-value for "no change", in `[0, 1]`.
    public var pValue: Double
    public var test: Test
    /// For ``Test/exactMcNemar``: items right under the base only (McNemar's `b`); nil otherwise.
    public var baseOnlyCorrect: Int?
    /// For ``Test/exactMcNemar``: items right under the candidate only (McNemar's `c`); nil otherwise.
    public var candidateOnlyCorrect: Int?

    /// Builds a comparison, deriving the difference, points and relative change from the two values.
    public init(aggregation: MetricAggregation, base: Double, candidate: Double, interval: ConfidenceInterval?, pValue: Double,
                test: Test, baseOnlyCorrect: Int? = nil, candidateOnlyCorrect: Int? = nil) {
        self.base = base
        self.candidate = candidate
        difference = candidate - base
        let unitScale = aggregation == .mean && [base, candidate].allSatisfy { (0 ... 1).contains($0) }
        differencePoints = unitScale ? difference * 100 : nil
        relativeChangePercent = base != 0 ? difference / base * 100 : nil
        self.interval = interval
        self.pValue = pValue
        self.test = test
        self.baseOnlyCorrect = baseOnlyCorrect
        self.candidateOnlyCorrect = candidateOnlyCorrect
    }
}
