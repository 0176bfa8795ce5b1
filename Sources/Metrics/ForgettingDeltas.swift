/// Target improvement (TI) and backward transfer (BWT), as defined by Wu et al., "Mitigating
/// Forgetting in LLM Fine-Tuning via Low-Perplexity Token Learning" (NeurIPS 2025):
///
///     TI  = (R_target,after - R_target,before) / R_target,before · 100
///     BWT = mean over non-target tasks i of (R_i,after - R_i,before) / R_i,before · 100
///
/// in percent (relative), plus the same averages in absolute points, `(after - before) · 100`.
/// With several target tasks TI is the mean of their relative changes. Positive is better; for a
/// lower-is-better task (see ``TaskScore/direction``) the sign is flipped so this stays true.
///
/// ## Undefined cases
/// The relative change of a task with `before == 0` is undefined, so ``targetImprovement`` is `nil`
/// when any target task has `before == 0`, and ``backwardTransfer`` is `nil` when any non-target
/// task has: such a task is never silently dropped from the mean. The absolute-point versions are
/// always defined for a non-empty list. Every value is `nil` for an empty list.
///
/// Example (the paper's Gemma 2 2B trained on MBPP): MBPP 0.5106 → 0.3995 gives TI = -21.76%;
/// MATH 0.2810 → 0.2290, ARC 0.7474 → 0.7159, GSM8K 0.5845 → 0.1926 and BIRD 0.1389 → 0.0514 give
/// BWT = -38.19%.
public struct ForgettingDeltas: Sendable, Codable, Hashable {
    /// The target task(s): the ones fine-tuned on.
    public var target: [TaskScore]
    /// The non-target tasks, where forgetting shows.
    public var nonTarget: [TaskScore]
    /// TI in percent; `nil` if there is no target task or one has `before == 0`.
    public var targetImprovement: Double?
    /// TI in absolute points (mean of `(after - before) · 100`); `nil` if there is no target task.
    public var targetImprovementPoints: Double?
    /// BWT in percent; `nil` if there is no non-target task or one has `before == 0`.
    public var backwardTransfer: Double?
    /// BWT in absolute points (mean of `(after - before) · 100`); `nil` if there is no non-target task.
    public var backwardTransferPoints: Double?

    /// Computes TI and BWT from before/after scores.
    public init(target: [TaskScore], nonTarget: [TaskScore]) {
        self.target = target
        self.nonTarget = nonTarget
        targetImprovement = Self.meanRelative(target)
        targetImprovementPoints = Self.meanPoints(target)
        backwardTransfer = Self.meanRelative(nonTarget)
        backwardTransferPoints = Self.meanPoints(nonTarget)
    }

    /// Convenience for one target task.
    public init(target: TaskScore, nonTarget: [TaskScore]) {
        self.init(target: [target], nonTarget: nonTarget)
    }

    private static func meanRelative(_ scores: [TaskScore]) -> Double? {
        guard !scores.isEmpty else { return nil }
        var sum = 0.0
        for s in scores {
            guard let r = s.relativeChangePercent else { return nil }
            sum += r
        }
        return sum / Double(scores.count)
    }

    private static func meanPoints(_ scores: [TaskScore]) -> Double? {
        guard !scores.isEmpty else { return nil }
        return scores.reduce(0.0) { $0 + $1.absoluteChangePoints } / Double(scores.count)
    }
}
