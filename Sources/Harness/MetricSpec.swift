/// How per-item values become one task-level number.
public enum MetricAggregation: String, Codable, Sendable {
    /// The mean of per-item values (accuracy, exact match).
    case mean
    /// `exp(-Σ loglikelihood / Σ units)` over items; units are the item values named by `unitsKey`.
    case perplexity
    /// `-Σ loglikelihood / Σ bytes / ln 2`.
    case bitsPerByte = "bits_per_byte"
}

/// A metric a task reports.
public struct MetricSpec: Codable, Hashable, Sendable {
    /// The name in reports (`acc`, `acc_norm`, `exact_match`, `word_perplexity`, `bits_per_byte`…).
    public var name: String
    /// Which way the metric improves.
    public var direction: MetricDirection
    /// How per-item values become the task's value (`Metrics` aggregates by it).
    public var aggregation: MetricAggregation
    /// For `.perplexity`: the per-item value holding the unit count (`tokens`, `words` or `bytes`).
    public var unitsKey: String?

    public init(name: String, direction: MetricDirection, aggregation: MetricAggregation = .mean, unitsKey: String? = nil) {
        self.name = name
        self.direction = direction
        self.aggregation = aggregation
        self.unitsKey = unitsKey
    }
}
