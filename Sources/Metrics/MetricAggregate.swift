import Harness

/// A task-level metric value with its uncertainty, aggregated from per-item values by
/// ``Harness/MetricSpec/aggregate(itemCount:bootstrap:value:)``.
public struct MetricAggregate: Sendable, Hashable {
    /// The task-level value, in the metric's units; NaN when there were no items.
    public var value: Double
    /// Standard error of the mean (sample sd / √n) for mean metrics with two or more items; nil
    /// for corpus-level ones.
    public var standardError: Double?
    /// The interval around ``value`` (level 0.95): Wilson for means of 0/1 items, normal for other
    /// means, percentile bootstrap for corpus-level statistics; nil when it cannot be formed.
    public var interval: ConfidenceInterval?
    /// How ``interval`` was computed; nil when there is none.
    public var intervalKind: IntervalKind?

    /// Memberwise initialiser.
    public init(value: Double, standardError: Double?, interval: ConfidenceInterval?, intervalKind: IntervalKind?) {
        self.value = value
        self.standardError = standardError
        self.interval = interval
        self.intervalKind = interval == nil ? nil : intervalKind
    }
}

extension MetricSpec {
    /// The per-item values this metric's aggregation reads, in the order it reads them: the
    /// metric's own name for a mean; the log-likelihood and the unit count (`bytes` for bits per
    /// byte, ``unitsKey`` or `tokens` for perplexity) for corpus-level statistics (``ItemScore/Key``).
    public var itemValueKeys: [String] {
        switch aggregation {
        case .mean: return [name]
        case .perplexity: return [ItemScore.Key.logLikelihood, unitsKey ?? ItemScore.Key.tokens]
        case .bitsPerByte: return [ItemScore.Key.logLikelihood, ItemScore.Key.bytes]
        }
    }

    /// The task-level value of this metric over `itemCount` items, with its 95% interval.
    ///
    /// - Parameters:
    ///   - itemCount: number of items (0 gives a NaN value and no interval).
    ///   - bootstrap: resamples and seed of the percentile bootstrap behind corpus-level intervals
    ///     (used only for `perplexity` and `bits_per_byte`, from two items on).
    ///   - value: item `i`'s value named `key` (one of ``itemValueKeys``); it throws the caller's
    ///     error for a missing value. Called column by column, items in order.
    /// - Throws: what `value` throws, or a ``MetricsError`` for values the statistic rejects.
    public func aggregate(itemCount: Int, bootstrap: BootstrapConfiguration,
                          value: (_ item: Int, _ key: String) throws -> Double) throws -> MetricAggregate {
        guard itemCount > 0 else { return MetricAggregate(value: .nan, standardError: nil, interval: nil, intervalKind: nil) }
        let columns = try itemValueKeys.map { key in try (0 ..< itemCount).map { try value($0, key) } }
        switch aggregation {
        case .mean:
            // A mean of 0/1 items is a proportion: Wilson interval; any other mean: normal.
            let summary = try MeanSummary.summarizing(columns[0])
            return MetricAggregate(value: summary.mean, standardError: summary.standardError, interval: summary.interval,
                                   intervalKind: summary.intervalKind)
        case .perplexity, .bitsPerByte:
            let statistic = { (indices: [Int]) throws -> Double in try self.corpusStatistic(columns[0], columns[1], indices) }
            let estimate = try statistic(Array(0 ..< itemCount))
            var interval: ConfidenceInterval?
            if itemCount >= 2 {
                let replicates = try Bootstrap.replicates(itemCount: itemCount, configuration: bootstrap, statistic: statistic)
                interval = Bootstrap.percentileInterval(replicates: replicates, level: 0.95)
            }
            return MetricAggregate(value: estimate, standardError: nil, interval: interval, intervalKind: .bootstrapPercentile)
        }
    }

    /// Compares this metric between two runs over the same `itemCount` paired items (item `i` is
    /// the same item in both): the two task-level values, a 95% interval of `candidate - base`
    /// and a two-sided p-value for "no change".
    ///
    /// Means of 0/1 items: exact McNemar test and paired normal interval
    /// (``PairedComparison/binary(base:candidate:level:)``); other means: paired bootstrap of the
    /// mean difference; perplexity and bits per byte: paired bootstrap of the corpus statistic's
    /// difference (unit counts from the base run).
    ///
    /// - Parameters:
    ///   - base: item `i`'s value named `key` in the base run (throws the caller's error when missing).
    ///   - candidate: the same in the candidate run.
    ///   - bootstrap: resamples and seed of the paired bootstraps.
    /// - Throws: what `base` or `candidate` throw, or a ``MetricsError``.
    public func comparePaired(itemCount: Int, bootstrap: BootstrapConfiguration,
                              base: (_ item: Int, _ key: String) throws -> Double,
                              candidate: (_ item: Int, _ key: String) throws -> Double) throws -> PairedMetricComparison {
        let items = 0 ..< itemCount
        switch aggregation {
        case .mean:
            let b = try items.map { try base($0, name) }, c = try items.map { try candidate($0, name) }
            let binary = (b + c).allSatisfy { $0 == 0 || $0 == 1 }
            let comparison = binary
                ? try PairedComparison.binary(base: b.map { $0 == 1 }, candidate: c.map { $0 == 1 })
                : try PairedComparison.continuous(base: b, candidate: c, configuration: bootstrap)
            return PairedMetricComparison(aggregation: aggregation, base: comparison.baseMean, candidate: comparison.candidateMean,
                                          interval: comparison.interval, pValue: comparison.pValue,
                                          test: binary ? .exactMcNemar : .pairedBootstrap,
                                          baseOnlyCorrect: binary ? comparison.baseOnlyCorrect ?? 0 : nil,
                                          candidateOnlyCorrect: binary ? comparison.candidateOnlyCorrect ?? 0 : nil)
        case .perplexity, .bitsPerByte:
            let keys = itemValueKeys
            let lb = try items.map { try base($0, keys[0]) }, lc = try items.map { try candidate($0, keys[0]) }
            let units = try items.map { try base($0, keys[1]) }
            let all = Array(items)
            let b = try corpusStatistic(lb, units, all), c = try corpusStatistic(lc, units, all)
            let replicates = try Bootstrap.replicates(itemCount: itemCount, configuration: bootstrap) {
                try corpusStatistic(lc, units, $0) - corpusStatistic(lb, units, $0)
            }
            return PairedMetricComparison(aggregation: aggregation, base: b, candidate: c,
                                          interval: Bootstrap.percentileInterval(replicates: replicates, level: 0.95),
                                          pValue: Bootstrap.twoSidedPValue(replicates: replicates), test: .pairedBootstrap)
        }
    }

    /// Perplexity or bits per byte of the items at `indices` (repeats allowed, as a resample draws them).
    func corpusStatistic(_ logLikelihoods: [Double], _ units: [Double], _ indices: [Int]) throws -> Double {
        let l = indices.map { logLikelihoods[$0] }, u = indices.map { Int(units[$0]) }
        return aggregation == .bitsPerByte
            ? try LikelihoodAggregation.bitsPerByte(logLikelihoods: l, byteCounts: u)
            : try LikelihoodAggregation.weightedPerplexity(logLikelihoods: l, units: u)
    }
}
