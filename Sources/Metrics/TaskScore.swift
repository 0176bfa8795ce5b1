import Harness

/// One task's aggregate score before and after fine-tuning (R_before, R_after), e.g. accuracy or
/// pass@1 as a proportion in `0...1`.
public struct TaskScore: Sendable, Codable, Hashable {
    /// Task name (as in the task registry), e.g. `"gsm8k"`.
    public var task: String
    /// Score of the base model, R_before.
    public var before: Double
    /// Score of the fine-tuned model, R_after.
    public var after: Double
    /// Which way the metric improves; default ``MetricDirection/higherIsBetter`` (the paper's metrics).
    public var direction: MetricDirection

    /// Creates a task score.
    public init(task: String, before: Double, after: Double, direction: MetricDirection = .higherIsBetter) {
        self.task = task
        self.before = before
        self.after = after
        self.direction = direction
    }

    /// Absolute change in points, `(after - before) · 100`, signed so positive means better
    /// (percentage points for a 0...1 proportion).
    public var absoluteChangePoints: Double {
        direction.sign * (after - before) * 100
    }

    /// Relative change in percent, `(after - before) / before · 100` (Wu et al. 2025), signed so
    /// positive means better. `nil` when `before == 0`, where the relative change is undefined.
    public var relativeChangePercent: Double? {
        guard before != 0 else { return nil }
        return direction.sign * (after - before) / before * 100
    }
}
