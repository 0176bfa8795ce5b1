/// The evaluation of one ``Gate`` against one paired comparison, with the numbers behind the verdict.
public struct GateResult: Sendable, Codable, Hashable {
    /// The gate evaluated.
    public var gate: Gate
    /// The verdict.
    public var outcome: GateOutcome
    /// Change in the good direction, in the metric's units (positive = better):
    /// `candidate - base` for higher-is-better metrics, `base - candidate` otherwise.
    public var change: Double
    /// Interval of ``change`` (bounds swapped for lower-is-better metrics); `nil` if none was available.
    public var changeInterval: ConfidenceInterval?
    /// The tolerated drop in the metric's units (`>= 0`); see ``Gate/Margin``.
    public var tolerance: Double
    /// The comparison's two-sided p-value.
    public var pValue: Double
    /// One line saying why, for reports (e.g. "lower bound -0.004 >= -0.01").
    public var reason: String

    /// Memberwise initialiser.
    public init(gate: Gate, outcome: GateOutcome, change: Double, changeInterval: ConfidenceInterval?, tolerance: Double, pValue: Double, reason: String) {
        self.gate = gate
        self.outcome = outcome
        self.change = change
        self.changeInterval = changeInterval
        self.tolerance = tolerance
        self.pValue = pValue
        self.reason = reason
    }
}
