#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// Descriptive statistics of a sample of per-item scores, with the definitions
/// lm-evaluation-harness uses (`mean`, `sample_stddev`, `mean_stderr` in `lm_eval/api/metrics.py`).
///
/// All functions are pure and two-pass (mean first, then squared deviations), matching
/// `numpy.mean` and `numpy.std(x, ddof=1)` to rounding.
public enum SampleStatistics {
    /// Arithmetic mean `sum(x) / n`. Returns `nil` for an empty sample.
    public static func mean(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        var sum = 0.0
        for v in values { sum += v }
        return sum / Double(values.count)
    }

    /// Unbiased sample variance `sum((x - mean)^2) / (n - 1)` (ddof = 1). `nil` when `n < 2`.
    public static func sampleVariance(_ values: [Double]) -> Double? {
        guard values.count >= 2, let m = mean(values) else { return nil }
        var ss = 0.0
        for v in values {
            let d = v - m
            ss += d * d
        }
        return ss / Double(values.count - 1)
    }

    /// Sample standard deviation with ddof = 1 (`numpy.std(x, ddof=1)`, lm-eval `sample_stddev`).
    /// `nil` when `n < 2`.
    public static func sampleStandardDeviation(_ values: [Double]) -> Double? {
        sampleVariance(values).map { $0.squareRoot() }
    }

    /// Standard error of the mean: `sampleStandardDeviation / sqrt(n)` (lm-eval `mean_stderr`).
    /// `nil` when `n < 2`.
    public static func standardErrorOfMean(_ values: [Double]) -> Double? {
        sampleStandardDeviation(values).map { $0 / Double(values.count).squareRoot() }
    }
}
