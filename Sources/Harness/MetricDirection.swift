/// Which way a metric improves: the one direction type, carried by ``MetricSpec`` and read by
/// results, gates, forgetting deltas and reports alike.
///
/// Accuracy, exact match and pass@1 are ``higherIsBetter``; perplexity, bits per byte and error
/// rates are ``lowerIsBetter``. In JSON it is `"higherIsBetter"` / `"lowerIsBetter"`; results files
/// that record it under `polarity` spell it `"higher"` / `"lower"` (``PolarityCoded``), and both
/// spellings decode.
public enum MetricDirection: String, Sendable, Codable, Hashable, CaseIterable {
    /// Larger values are better (accuracy, exact match, pass@k).
    case higherIsBetter
    /// Smaller values are better (perplexity, bits per byte, error rate).
    case lowerIsBetter

    /// Maps lm-evaluation-harness's `higher_is_better` flag to a direction.
    public init(higherIsBetter: Bool) {
        self = higherIsBetter ? .higherIsBetter : .lowerIsBetter
    }

    /// Whether larger values are better (lm-evaluation-harness's `higher_is_better`).
    public var higherIsBetter: Bool { self == .higherIsBetter }

    /// `+1` for ``higherIsBetter``, `-1` for ``lowerIsBetter``.
    public var sign: Double { higherIsBetter ? 1 : -1 }

    /// A raw difference (`candidate - base`, in the metric's units) expressed in the good direction:
    /// positive means the candidate is better.
    public func goodDirectionChange(_ difference: Double) -> Double { sign * difference }

    /// Whether `a` is strictly better than `b` under this direction.
    public func isBetter(_ a: Double, than b: Double) -> Bool { higherIsBetter ? a > b : a < b }

    /// The short spelling results files use under `polarity`: `higher` or `lower`.
    public var polarityLabel: String { higherIsBetter ? "higher" : "lower" }

    /// Decodes `"higherIsBetter"` / `"lowerIsBetter"` or the results files' `"higher"` / `"lower"`.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        switch text {
        case "higherIsBetter", "higher": self = .higherIsBetter
        case "lowerIsBetter", "lower": self = .lowerIsBetter
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "'\(text)' is not a metric direction (expected higherIsBetter, lowerIsBetter, higher or lower)"))
        }
    }
}

/// Codes a ``MetricDirection`` as results files' `polarity` field has always been written:
/// `"higher"` / `"lower"` (either spelling decodes), so results, comparisons and leaderboards
/// written before and after read the same.
@propertyWrapper
public struct PolarityCoded: Codable, Hashable, Sendable {
    public var wrappedValue: MetricDirection

    public init(wrappedValue: MetricDirection) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws { wrappedValue = try MetricDirection(from: decoder) }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(wrappedValue.polarityLabel)
    }
}
