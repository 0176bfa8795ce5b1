/// How a confidence interval was computed; results record it next to the bounds so a reader
/// knows whether an interval can be asymmetric or reach past a metric's range.
public enum IntervalKind: String, Sendable, Codable, Hashable, CaseIterable {
    /// `estimate ± z · standardError`: for means of unbounded per-item values (a log-likelihood,
    /// an F1). Symmetric; for a proportion near 0 or 1 it can leave `0...1`.
    case normal
    /// The Wilson score interval for a proportion of 0/1 outcomes (accuracy, exact match):
    /// always inside `0...1`, and close to nominal coverage even for few items or rates near 0 or 1.
    case wilson
    /// Percentile bootstrap over items: for corpus-level statistics (perplexity, bits per byte).
    case bootstrapPercentile = "bootstrap_percentile"
}
