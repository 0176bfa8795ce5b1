#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// Corpus-level aggregations of log-likelihoods, exactly as lm-evaluation-harness defines them
/// (`perplexity`, `weighted_perplexity` and `bits_per_byte` in `lm_eval/api/metrics.py`).
///
/// Log-likelihoods are natural-log (nats), one per item (a request or a rolling document), `<= 0`.
/// These are corpus statistics, not means of per-item values: a weighted perplexity is
/// `exp(-Σ ll / Σ units)`, not the mean of per-document perplexities.
public enum LikelihoodAggregation {
    /// lm-eval's `perplexity` aggregation for `loglikelihood` requests: `exp(-mean(ll))`, the
    /// per-request mean (not per token).
    ///
    /// - Throws: ``MetricsError/notEnoughItems(count:minimum:)`` for an empty list,
    ///   ``MetricsError/nonFiniteValue(index:)`` for NaN or infinite values.
    public static func perplexity(logLikelihoods: [Double]) throws -> Double {
        try MetricsError.checkFinite(logLikelihoods)
        guard let m = SampleStatistics.mean(logLikelihoods) else {
            throw MetricsError.notEnoughItems(count: 0, minimum: 1)
        }
        return exp(-m)
    }

    /// lm-eval's `weighted_perplexity`: `exp(-Σ ll / Σ units)`.
    ///
    /// With `units` = words per document this is `word_perplexity`; with bytes (UTF-8) it is
    /// `byte_perplexity`; with tokens it is the usual token-level perplexity.
    ///
    /// - Throws: ``MetricsError/lengthMismatch(first:second:)`` when the lists differ in length,
    ///   ``MetricsError/notEnoughItems(count:minimum:)`` when empty,
    ///   ``MetricsError/invalidParameter(name:value:expected:)`` when `Σ units <= 0` or a count is negative,
    ///   ``MetricsError/nonFiniteValue(index:)`` for NaN or infinite log-likelihoods.
    public static func weightedPerplexity(logLikelihoods: [Double], units: [Int]) throws -> Double {
        exp(-(try weightedMeanLogLikelihood(logLikelihoods: logLikelihoods, units: units)))
    }

    /// lm-eval's `bits_per_byte`: `-Σ ll / Σ bytes / ln 2` (bytes of the UTF-8 text).
    ///
    /// - Throws: as ``weightedPerplexity(logLikelihoods:units:)``.
    public static func bitsPerByte(logLikelihoods: [Double], byteCounts: [Int]) throws -> Double {
        -(try weightedMeanLogLikelihood(logLikelihoods: logLikelihoods, units: byteCounts)) / log(2.0)
    }

    /// lm-eval's `weighted_mean`: `Σ ll / Σ units` (nats per unit, `<= 0`).
    ///
    /// - Throws: as ``weightedPerplexity(logLikelihoods:units:)``.
    public static func weightedMeanLogLikelihood(logLikelihoods: [Double], units: [Int]) throws -> Double {
        guard logLikelihoods.count == units.count else {
            throw MetricsError.lengthMismatch(first: logLikelihoods.count, second: units.count)
        }
        guard !logLikelihoods.isEmpty else { throw MetricsError.notEnoughItems(count: 0, minimum: 1) }
        try MetricsError.checkFinite(logLikelihoods)
        if let bad = units.first(where: { $0 < 0 }) {
            throw MetricsError.invalidParameter(name: "units", value: "\(bad)", expected: "a non-negative count")
        }
        var sum = 0.0
        for ll in logLikelihoods { sum += ll }
        let total = units.reduce(0, +)
        guard total > 0 else {
            throw MetricsError.invalidParameter(name: "sum of units", value: "\(total)", expected: "a positive count")
        }
        return sum / Double(total)
    }
}
