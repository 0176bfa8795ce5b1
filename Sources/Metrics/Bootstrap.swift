/// Seeded, reproducible nonparametric bootstrap (Efron 1979) over items.
///
/// ## Resampling scheme
/// One ``Xoshiro256StarStar`` generator is seeded with the configuration's seed. For resample
/// `b = 0, 1, ..., B-1` it draws `n` item indices in order, each `nextInt(below: n)` (uniform, with
/// replacement). The statistic is computed on those indices. The Python reference
/// (`scripts/reference/metrics_reference.py`) replays the same stream and matches to rounding.
///
/// ## Percentile interval
/// The `(1 - level)/2` and `(1 + level)/2` quantiles of the `B` replicates
/// (``Quantile/linear(sorted:_:)``, `numpy.percentile`'s default).
public enum Bootstrap {
    /// Computes `B` bootstrap replicates of an arbitrary statistic of resampled items.
    ///
    /// - Parameters:
    ///   - itemCount: number of items `n` (`>= 1`).
    ///   - configuration: resamples and seed (the level is not used here).
    ///   - statistic: called once per resample with the `n` drawn item indices (a buffer reused
    ///     between calls; copy it if you keep it), returning the statistic of that resample.
    /// - Returns: the `B` replicates, in resample order (unsorted).
    /// - Throws: ``MetricsError/notEnoughItems(count:minimum:)`` when `itemCount < 1`,
    ///   ``MetricsError/invalidParameter(name:value:expected:)`` for a bad configuration.
    public static func replicates(
        itemCount: Int,
        configuration: BootstrapConfiguration,
        statistic: (_ indices: [Int]) throws -> Double
    ) throws -> [Double] {
        try configuration.validate()
        guard itemCount >= 1 else { throw MetricsError.notEnoughItems(count: itemCount, minimum: 1) }
        var rng = Xoshiro256StarStar(seed: configuration.seed)
        var indices = [Int](repeating: 0, count: itemCount)
        var out = [Double]()
        out.reserveCapacity(configuration.resamples)
        for _ in 0..<configuration.resamples {
            for i in 0..<itemCount { indices[i] = rng.nextInt(below: itemCount) }
            out.append(try statistic(indices))
        }
        return out
    }

    /// Percentile bootstrap of the mean of per-item values (0/1 or continuous).
    ///
    /// - Throws: ``MetricsError/notEnoughItems(count:minimum:)`` for no values,
    ///   ``MetricsError/nonFiniteValue(index:)``, or ``MetricsError/invalidParameter(name:value:expected:)``
    ///   for a bad configuration.
    public static func mean(_ values: [Double], configuration: BootstrapConfiguration) throws -> BootstrapResult {
        try configuration.validate()
        try MetricsError.checkFinite(values)
        let b = try bootstrapMean(values, configuration: configuration)
        return BootstrapResult(estimate: b.estimate, interval: b.interval, standardError: b.standardError,
                               count: values.count, configuration: configuration)
    }

    /// Paired percentile bootstrap of `mean(candidate) - mean(base)`: items are resampled jointly,
    /// so item `i`'s base and candidate scores stay together. See ``PairedBootstrapResult`` for the
    /// p-value.
    ///
    /// - Throws: ``MetricsError/lengthMismatch(first:second:)`` when the lists differ in length,
    ///   otherwise as ``mean(_:configuration:)``.
    public static func pairedMeanDifference(
        base: [Double],
        candidate: [Double],
        configuration: BootstrapConfiguration
    ) throws -> PairedBootstrapResult {
        guard base.count == candidate.count else {
            throw MetricsError.lengthMismatch(first: base.count, second: candidate.count)
        }
        try MetricsError.checkFinite(base)
        try MetricsError.checkFinite(candidate)
        try configuration.validate()
        let differences = zip(candidate, base).map { $0 - $1 }
        let b = try bootstrapMean(differences, configuration: configuration)
        return PairedBootstrapResult(meanDifference: b.estimate, interval: b.interval, pValue: twoSidedPValue(replicates: b.replicates),
                                     standardError: b.standardError, count: differences.count, configuration: configuration)
    }

    /// The mean of `values` (checked finite, `configuration` valid) and its bootstrap: the
    /// replicates, their percentile interval and their standard deviation (the standard error).
    /// - Throws: ``MetricsError/notEnoughItems(count:minimum:)`` for no values.
    private static func bootstrapMean(_ values: [Double], configuration: BootstrapConfiguration) throws
        -> (estimate: Double, replicates: [Double], interval: ConfidenceInterval, standardError: Double) {
        guard let estimate = SampleStatistics.mean(values) else {
            throw MetricsError.notEnoughItems(count: 0, minimum: 1)
        }
        let reps = try meanReplicates(values, configuration: configuration)
        return (estimate, reps, percentileInterval(replicates: reps, level: configuration.level),
                SampleStatistics.sampleStandardDeviation(reps) ?? 0)
    }

    /// The percentile interval of replicates: their `(1 - level)/2` and `(1 + level)/2` quantiles
    /// (type 7, linear). `replicates` need not be sorted and must not be empty.
    public static func percentileInterval(replicates: [Double], level: Double) -> ConfidenceInterval {
        precondition(!replicates.isEmpty, "no replicates")
        let sorted = replicates.sorted()
        let tail = (1 - level) / 2
        return ConfidenceInterval(
            lower: Quantile.linear(sorted: sorted, tail),
            upper: Quantile.linear(sorted: sorted, 1 - tail),
            level: level
        )
    }

    /// The two-sided bootstrap p-value for "the statistic is 0" from replicates of a paired
    /// difference: `min(1, 2 (min(#{r <= 0}, #{r >= 0}) + 1) / (B + 1))` (the `+ 1`s keep it above 0).
    public static func twoSidedPValue(replicates: [Double]) -> Double {
        var atMostZero = 0, atLeastZero = 0
        for r in replicates {
            if r <= 0 { atMostZero += 1 }
            if r >= 0 { atLeastZero += 1 }
        }
        return min(1, 2 * Double(min(atMostZero, atLeastZero) + 1) / Double(replicates.count + 1))
    }

    /// Replicates of the mean, without materialising resamples.
    static func meanReplicates(_ values: [Double], configuration: BootstrapConfiguration) throws -> [Double] {
        let n = Double(values.count)
        return try values.withUnsafeBufferPointer { v in
            try replicates(itemCount: v.count, configuration: configuration) { indices in
                var sum = 0.0
                for i in indices { sum += v[i] }
                return sum / n
            }
        }
    }
}
