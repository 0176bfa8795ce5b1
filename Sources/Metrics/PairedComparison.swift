/// A comparison of a candidate model against a base model on the same items: the mean difference
/// `candidate - base` (in the metric's units), its uncertainty and a two-sided p-value for
/// "no difference". This is what a ``Gate`` judges.
///
/// Two constructions:
/// - ``binary(base:candidate:level:)`` for 0/1 metrics: paired normal interval
///   `d̄ ± z · sd(d, ddof=1)/sqrt(n)` on per-item differences `d_i ∈ {-1, 0, 1}`, and the exact
///   McNemar p-value (``McNemarTest``).
/// - ``continuous(base:candidate:configuration:)`` for continuous metrics: paired percentile
///   bootstrap interval and p-value (``Bootstrap/pairedMeanDifference(base:candidate:configuration:)``).
public struct PairedComparison: Sendable, Codable, Hashable {
    /// How the interval and p-value were obtained.
    public enum Method: String, Sendable, Codable, Hashable, CaseIterable {
        /// 0/1 outcomes: paired normal interval + exact McNemar p-value.
        case pairedNormalMcNemar
        /// Continuous scores: paired percentile bootstrap interval and p-value.
        case pairedBootstrap
    }

    /// Number of paired items `n`.
    public var count: Int
    /// Mean of the base model's per-item scores.
    public var baseMean: Double
    /// Mean of the candidate's per-item scores.
    public var candidateMean: Double
    /// `candidateMean - baseMean` (= mean of per-item differences), in the metric's units
    /// (a proportion for 0/1 metrics: multiply by 100 for percentage points).
    public var difference: Double
    /// Paired standard error `sd(d, ddof=1) / sqrt(n)` of ``difference``; `nil` when `n < 2`.
    public var standardError: Double?
    /// Interval for ``difference``; `nil` when it cannot be formed (`n < 2` for the normal interval).
    public var interval: ConfidenceInterval?
    /// Two-sided p-value for H0: no difference, in `[0, 1]`.
    public var pValue: Double
    /// The method behind ``interval`` and ``pValue``.
    public var method: Method
    /// For ``Method/pairedNormalMcNemar``: items right under the base only (McNemar's `b`).
    public var baseOnlyCorrect: Int?
    /// For ``Method/pairedNormalMcNemar``: items right under the candidate only (McNemar's `c`).
    public var candidateOnlyCorrect: Int?
    /// For ``Method/pairedBootstrap``: the bootstrap configuration (resamples, seed, level).
    public var bootstrap: BootstrapConfiguration?

    /// Memberwise initialiser (for decoding, tests, or results computed elsewhere).
    public init(
        count: Int, baseMean: Double, candidateMean: Double, difference: Double,
        standardError: Double?, interval: ConfidenceInterval?, pValue: Double, method: Method,
        baseOnlyCorrect: Int? = nil, candidateOnlyCorrect: Int? = nil, bootstrap: BootstrapConfiguration? = nil
    ) {
        self.count = count
        self.baseMean = baseMean
        self.candidateMean = candidateMean
        self.difference = difference
        self.standardError = standardError
        self.interval = interval
        self.pValue = pValue
        self.method = method
        self.baseOnlyCorrect = baseOnlyCorrect
        self.candidateOnlyCorrect = candidateOnlyCorrect
        self.bootstrap = bootstrap
    }

    /// Compares paired 0/1 outcomes (`true` = correct), item `i` being the same item in both lists.
    ///
    /// - Parameter level: interval coverage in `(0, 1)`, default `0.95`.
    /// - Throws: ``MetricsError/lengthMismatch(first:second:)``, ``MetricsError/notEnoughItems(count:minimum:)``
    ///   for empty lists, ``MetricsError/invalidParameter(name:value:expected:)`` for a bad level.
    public static func binary(base: [Bool], candidate: [Bool], level: Double = 0.95) throws -> PairedComparison {
        guard base.count == candidate.count else {
            throw MetricsError.lengthMismatch(first: base.count, second: candidate.count)
        }
        guard !base.isEmpty else { throw MetricsError.notEnoughItems(count: 0, minimum: 1) }
        try MetricsError.checkLevel(level)
        let test = try McNemarTest(base: base, candidate: candidate)
        let n = Double(base.count)
        let baseMean = Double(base.lazy.filter { $0 }.count) / n
        let candidateMean = Double(candidate.lazy.filter { $0 }.count) / n
        let differences = zip(candidate, base).map { (c, b) -> Double in (c ? 1 : 0) - (b ? 1 : 0) }
        let difference = Double(test.candidateOnlyCorrect - test.baseOnlyCorrect) / n
        let se = SampleStatistics.standardErrorOfMean(differences)
        return PairedComparison(
            count: base.count,
            baseMean: baseMean,
            candidateMean: candidateMean,
            difference: difference,
            standardError: se,
            interval: se.map { ConfidenceInterval.normal(estimate: difference, standardError: $0, level: level) },
            pValue: test.pValue,
            method: .pairedNormalMcNemar,
            baseOnlyCorrect: test.baseOnlyCorrect,
            candidateOnlyCorrect: test.candidateOnlyCorrect
        )
    }

    /// Compares paired continuous scores with the paired bootstrap.
    ///
    /// - Throws: ``MetricsError/lengthMismatch(first:second:)``, ``MetricsError/notEnoughItems(count:minimum:)``,
    ///   ``MetricsError/nonFiniteValue(index:)``, ``MetricsError/invalidParameter(name:value:expected:)``.
    public static func continuous(base: [Double], candidate: [Double], configuration: BootstrapConfiguration) throws -> PairedComparison {
        let result = try Bootstrap.pairedMeanDifference(base: base, candidate: candidate, configuration: configuration)
        let differences = zip(candidate, base).map { $0 - $1 }
        return PairedComparison(
            count: base.count,
            baseMean: SampleStatistics.mean(base) ?? 0,
            candidateMean: SampleStatistics.mean(candidate) ?? 0,
            difference: result.meanDifference,
            standardError: SampleStatistics.standardErrorOfMean(differences),
            interval: result.interval,
            pValue: result.pValue,
            method: .pairedBootstrap,
            bootstrap: configuration
        )
    }
}
