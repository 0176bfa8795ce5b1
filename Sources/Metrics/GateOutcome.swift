/// The verdict of a ``Gate`` on one paired comparison.
public enum GateOutcome: String, Sendable, Codable, Hashable, CaseIterable {
    /// The change is significantly better than no change (`p < alpha` and the change is positive in
    /// the good direction). Satisfies the gate.
    case improved
    /// Non-inferior: the lower bound of the interval of the change (in the good direction) is at
    /// least `-margin`. Satisfies the gate.
    case pass
    /// The change is worse than `-margin` and significantly different from 0 (`p < alpha`).
    case fail
    /// None of the above: the data cannot tell (too few items, too wide an interval, or a
    /// significant change that may still lie within the margin).
    case inconclusive

    /// Whether the gate is satisfied (``pass`` or ``improved``).
    public var isSatisfied: Bool { self == .pass || self == .improved }
}
