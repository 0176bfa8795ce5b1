import Harness

/// A regression gate: "metric M on task T must not get worse by more than a margin".
///
/// A gate judges a ``PairedComparison`` of a candidate against a base model. Let `g` be the change
/// in the good direction (`candidate - base`, negated for lower-is-better metrics), `[gL, gU]` its
/// interval, `p` the two-sided p-value for "no change", and `m >= 0` the tolerance (the margin in
/// the metric's units). The outcome is the first that applies:
///
/// 1. ``GateOutcome/improved`` when `p < alpha` and `g > 0`;
/// 2. ``GateOutcome/fail`` when `p < alpha` and `g < -m`;
/// 3. ``GateOutcome/pass`` when `gL >= -m` (non-inferiority: the whole interval clears `-m`);
/// 4. ``GateOutcome/inconclusive`` otherwise, and whenever the change or p-value is not a number.
///
/// Precedence: `improved` and `fail` are exclusive (`g > 0 >= -m > g` is impossible). `improved`
/// comes before `pass` because it says more; both satisfy the gate, and with an interval and test
/// that agree, `improved` implies `gL > 0 >= -m`. `fail` comes before `pass` so that in the rare
/// case of an interval that does not contain the point estimate (possible for percentile
/// bootstraps), a significant drop beyond the margin is never reported as passing. With margin 0 and
/// identical models (all differences 0, interval [0, 0], p = 1) the gate passes.
public struct Gate: Sendable, Hashable {
    /// How much worse the candidate may be.
    public enum Margin: Sendable, Hashable {
        /// Percentage points of a 0...1 proportion (accuracy, pass@1): `.points(1)` tolerates a
        /// drop of 0.01 in the metric's units.
        case points(Double)
        /// Percent of the base model's mean: `.relative(5)` tolerates a drop of `0.05 · |baseMean|`
        /// (0 when the base mean is 0).
        case relative(Double)
        /// The metric's own units (perplexity, bits per byte): `.absolute(0.2)` tolerates 0.2.
        case absolute(Double)

        /// The number given (points, percent or units).
        public var value: Double {
            switch self {
            case let .points(v), let .relative(v), let .absolute(v): return v
            }
        }

        /// The tolerated drop in the metric's units, `>= 0`.
        public func tolerance(baseMean: Double) -> Double {
            switch self {
            case let .points(v): return v / 100
            case let .relative(v): return v / 100 * abs(baseMean)
            case let .absolute(v): return v
            }
        }
    }

    /// Task name, e.g. `"gsm8k"`.
    public var task: String
    /// Metric name, e.g. `"exact_match"`.
    public var metric: String
    /// The tolerated worsening (non-negative, finite).
    public var margin: Margin
    /// Significance level in `(0, 1)`, default 0.05.
    public var alpha: Double
    /// Which way the metric improves.
    public var direction: MetricDirection

    /// Creates a gate.
    ///
    /// - Throws: ``MetricsError/invalidParameter(name:value:expected:)`` when the margin is negative
    ///   or not finite, or `alpha` is not in `(0, 1)`.
    public init(task: String, metric: String, margin: Margin, alpha: Double = 0.05, direction: MetricDirection = .higherIsBetter) throws {
        guard margin.value.isFinite, margin.value >= 0 else {
            throw MetricsError.invalidParameter(name: "margin", value: "\(margin.value)", expected: "a finite, non-negative number")
        }
        guard alpha > 0, alpha < 1 else {
            throw MetricsError.invalidParameter(name: "alpha", value: "\(alpha)", expected: "a probability in (0, 1)")
        }
        self.task = task
        self.metric = metric
        self.margin = margin
        self.alpha = alpha
        self.direction = direction
    }

    /// Judges a paired comparison (``PairedComparison/difference`` is `candidate - base`).
    public func evaluate(_ comparison: PairedComparison) -> GateResult {
        evaluate(difference: comparison.difference, interval: comparison.interval, pValue: comparison.pValue, baseMean: comparison.baseMean)
    }

    /// Judges a comparison given as numbers.
    ///
    /// - Parameters:
    ///   - difference: `candidate - base` in the metric's units.
    ///   - interval: interval of `difference` (raw direction), or `nil` if unavailable.
    ///   - pValue: two-sided p-value for "no difference".
    ///   - baseMean: the base model's mean (used by ``Margin/relative(_:)``).
    public func evaluate(difference: Double, interval: ConfidenceInterval?, pValue: Double, baseMean: Double) -> GateResult {
        let tolerance = margin.tolerance(baseMean: baseMean)
        let change = direction.goodDirectionChange(difference)
        let changeInterval = interval.map { direction.goodDirectionInterval($0) }
        func result(_ outcome: GateOutcome, _ reason: String) -> GateResult {
            GateResult(gate: self, outcome: outcome, change: change, changeInterval: changeInterval, tolerance: tolerance, pValue: pValue, reason: reason)
        }
        guard change.isFinite, !pValue.isNaN else {
            return result(.inconclusive, "change or p-value is not a number")
        }
        let significant = pValue < alpha
        if significant && change > 0 {
            return result(.improved, "change \(change) > 0 with p = \(pValue) < \(alpha)")
        }
        if significant && change < -tolerance {
            return result(.fail, "change \(change) < -\(tolerance) with p = \(pValue) < \(alpha)")
        }
        if let ci = changeInterval, ci.lower.isFinite, ci.lower >= -tolerance {
            return result(.pass, "lower bound \(ci.lower) >= -\(tolerance)")
        }
        if let ci = changeInterval {
            return result(.inconclusive, "lower bound \(ci.lower) < -\(tolerance), p = \(pValue)")
        }
        return result(.inconclusive, "no interval (too few items), p = \(pValue)")
    }
}

/// Decoding checks the values through ``Gate/init(task:metric:margin:alpha:direction:)`` and fills in
/// the defaults of `alpha` and `direction`; encoding (synthesized) writes all five keys.
extension Gate: Codable {
    private enum CodingKeys: String, CodingKey { case task, metric, margin, alpha, direction }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            task: try c.decode(String.self, forKey: .task),
            metric: try c.decode(String.self, forKey: .metric),
            margin: try c.decode(Margin.self, forKey: .margin),
            alpha: try c.decodeIfPresent(Double.self, forKey: .alpha) ?? 0.05,
            direction: try c.decodeIfPresent(MetricDirection.self, forKey: .direction) ?? .higherIsBetter
        )
    }
}

/// Encoded as `{"kind": "points" | "relative" | "absolute", "value": <number>}`.
extension Gate.Margin: Codable {
    private enum CodingKeys: String, CodingKey { case kind, value }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        let value = try c.decode(Double.self, forKey: .value)
        switch kind {
        case "points": self = .points(value)
        case "relative": self = .relative(value)
        case "absolute": self = .absolute(value)
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "margin kind '\(kind)': expected points, relative or absolute")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .points: try c.encode("points", forKey: .kind)
        case .relative: try c.encode("relative", forKey: .kind)
        case .absolute: try c.encode("absolute", forKey: .kind)
        }
        try c.encode(value, forKey: .value)
    }
}
