/// Seeded, reproducible nonparametric bootstrap (Efron 1979) over items.
///
/// ## Resampling scheme
/// One ``Xoshiro256StarStar`` generator is seeded with the configuration's seed. For resample
/// `b = 0, 1, ..., B-1` it draws `n` item indices in order, each `nextInt(below: n)` (uniform, with
/// replacement). The statistic is computed on those indices. The Python reference
/// (`scripts/reference/metrics_reference.py`) replays the same stream and matches to rounding.
///
/// ## Percentile interval
/// The `(1 - level)/2` and `(1 + level)/2` quantiles of the `B` replicates with linear
/// interpolation between order statistics (`numpy.percentile`'s default, Hyndman & Fan type 7):
/// position `h = (B - 1) q`, value `x[⌊h⌋] + (h - ⌊h⌋)(x[⌊h⌋+1] - x[⌊h⌋])`.
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
        guard let estimate = SampleStatistics.mean(values) else {
            throw MetricsError.notEnoughItems(count: 0, minimum: 1)
        }
        let reps = try meanReplicates(values, configuration: configuration)
        return BootstrapResult(
            estimate: estimate,
            interval: percentileInterval(replicates: reps, level: configuration.level),
            standardError: SampleStatistics.sampleStandardDeviation(reps) ?? 0,
            count: values.count,
            configuration: configuration
        )
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
        guard let observed = SampleStatistics.mean(differences) else {
            throw MetricsError.notEnoughItems(count: 0, minimum: 1)
        }
        let reps = try meanReplicates(differences, configuration: configuration)
        var atMostZero = 0, atLeastZero = 0
        for r in reps {
            if r <= 0 { atMostZero += 1 }
            if r >= 0 { atLeastZero += 1 }
        }
        let p = 2 * Double(min(atMostZero, atLeastZero) + 1) / Double(reps.count + 1)
        return PairedBootstrapResult(
            meanDifference: observed,
            interval: percentileInterval(replicates: reps, level: configuration.level),
            pValue: min(1, p),
            standardError: SampleStatistics.sampleStandardDeviation(reps) ?? 0,
            count: differences.count,
            configuration: configuration
        )
    }

    /// The percentile interval of replicates: their `(1 - level)/2` and `(1 + level)/2` quantiles
    /// (type 7, linear). `replicates` need not be sorted and must not be empty.
    public static func percentileInterval(replicates: [Double], level: Double) -> ConfidenceInterval {
        precondition(!replicates.isEmpty, "no replicates")
        let sorted = replicates.sorted()
        let tail = (1 - level) / 2
        return ConfidenceInterval(
            lower: quantile(sorted: sorted, tail),
            upper: quantile(sorted: sorted, 1 - tail),
            level: level
        )
    }

    /// Type-7 quantile of sorted data (`numpy.quantile(x, q)` with the default method).
    /// `q` in `[0, 1]`; `sorted` ascending and non-empty.
    public static func quantile(sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty, "no data")
        let h = Double(sorted.count - 1) * min(max(q, 0), 1)
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, sorted.count - 1)
        let t = h - Double(lo)
        let a = sorted[lo], b = sorted[hi]
        // numpy's `_lerp`: interpolate from the nearer end (monotone, exact at both ends).
        return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t
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
