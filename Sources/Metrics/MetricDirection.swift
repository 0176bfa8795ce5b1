/// Which way a metric improves.
///
/// Accuracy, exact match and pass@1 are ``higherIsBetter``; perplexity, bits per byte and error rates
/// are ``lowerIsBetter``. Gates and reports use the direction to turn a raw difference
/// (`candidate - base`) into a change "in the good direction", where positive always means better.
public enum MetricDirection: String, Sendable, Codable, Hashable, CaseIterable {
    /// Larger values are better (accuracy, exact match, pass@k).
    case higherIsBetter
    /// Smaller values are better (perplexity, bits per byte, error rate).
    case lowerIsBetter

    /// Maps lm-evaluation-harness's `higher_is_better` flag to a direction.
    public init(higherIsBetter: Bool) {
        self = higherIsBetter ? .higherIsBetter : .lowerIsBetter
    }

    /// `+1` for ``higherIsBetter``, `-1` for ``lowerIsBetter``.
    public var sign: Double {
        switch self {
        case .higherIsBetter: return 1
        case .lowerIsBetter: return -1
        }
    }

    /// A raw difference (`candidate - base`, in the metric's units) expressed in the good direction:
    /// positive means the candidate is better.
    public func goodDirectionChange(_ difference: Double) -> Double {
        sign * difference
    }

    /// A raw interval for `candidate - base` expressed in the good direction (bounds swap for
    /// ``lowerIsBetter``); the level is kept.
    public func goodDirectionInterval(_ interval: ConfidenceInterval) -> ConfidenceInterval {
        switch self {
        case .higherIsBetter:
            return interval
        case .lowerIsBetter:
            return ConfidenceInterval(lower: -interval.upper, upper: -interval.lower, level: interval.level)
        }
    }

    /// Whether `a` is strictly better than `b` under this direction.
    public func isBetter(_ a: Double, than b: Double) -> Bool {
        switch self {
        case .higherIsBetter: return a > b
        case .lowerIsBetter: return a < b
        }
    }
}
