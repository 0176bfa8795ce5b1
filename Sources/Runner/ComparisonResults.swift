import Harness
import Metrics

/// `comparison.json` of `forgetbench compare`: per task and metric, the paired change of a
/// candidate against its base, its uncertainty, and the gate outcome; plus TI and BWT.
public struct ComparisonResults: Codable, Equatable, Sendable {
    public static let currentSchemaVersion = 1
    public var schemaVersion: Int
    public var harnessVersion: String
    public var base: ModelRecord
    public var candidate: ModelRecord
    /// Tasks the fine-tuning aimed at; every other task is a non-target task.
    public var targetTasks: [String]
    public var tasks: [TaskComparison]
    /// TI and BWT on each task's first (primary) metric, as Wu et al. define them.
    public var deltas: ForgettingDeltas
    /// Every gate outcome, in task then metric order.
    public var gates: [GateResult]

    public init(base: ModelRecord, candidate: ModelRecord, targetTasks: [String], tasks: [TaskComparison], deltas: ForgettingDeltas, gates: [GateResult]) {
        schemaVersion = Self.currentSchemaVersion
        harnessVersion = ForgetBenchVersion.current
        self.base = base
        self.candidate = candidate
        self.targetTasks = targetTasks
        self.tasks = tasks
        self.deltas = deltas
        self.gates = gates
    }

    /// 0 when every gate passed or improved, 2 when one failed, 3 when one was inconclusive and
    /// `strict` is set (DESIGN.md's exit codes).
    public func exitCode(strict: Bool) -> Int32 {
        if gates.contains(where: { $0.outcome == .fail }) { return 2 }
        if strict, gates.contains(where: { $0.outcome == .inconclusive }) { return 3 }
        return 0
    }
}

/// Whether a task was the fine-tuning's aim.
public enum TaskRole: String, Codable, Sendable {
    case target
    case nonTarget = "non_target"
}

/// One task's paired comparison.
public struct TaskComparison: Codable, Equatable, Sendable {
    public var name: String
    public var role: TaskRole
    /// Items present in both runs (paired by id and prompt hash).
    public var pairedItems: Int
    public var metrics: [MetricComparison]
    /// The task's version and content hash, the same in both runs (the comparator refuses runs
    /// where they differ); nil in files written before they were recorded.
    public var version: String? = nil
    public var contentHash: String? = nil
}

/// One metric's paired change, candidate minus base.
public struct MetricComparison: Codable, Equatable, Sendable {
    public var metric: String
    /// Which way the metric improves (`higher` / `lower` in comparison.json).
    @PolarityCoded public var polarity: MetricDirection
    public var base: Double
    public var candidate: Double
    /// candidate − base, in the metric's units.
    public var difference: Double
    /// candidate − base in points (× 100) for metrics on a 0–1 scale; nil otherwise.
    public var differencePoints: Double?
    /// (candidate − base) / base × 100; nil when base is 0.
    public var relativeChangePercent: Double?
    /// 95% interval of the paired difference.
    public var interval95: [Double]?
    public var pValue: Double
    /// Holm-adjusted across the non-target tasks' metrics (equal to `pValue` for target tasks).
    public var adjustedPValue: Double
    /// `exact_mcnemar` for 0/1 metrics, `paired_bootstrap` otherwise.
    public var test: String
    /// For `exact_mcnemar`: items right under the base only (McNemar's `b`) and under the
    /// candidate only (`c`); nil for other tests and in older files.
    public var baseOnlyCorrect: Int? = nil
    public var candidateOnlyCorrect: Int? = nil
    /// For 0/1 metrics: every item whose value changed, in the base run's item order (right → wrong
    /// ones count to `baseOnlyCorrect`, wrong → right ones to `candidateOnlyCorrect`); nil for other
    /// metrics and in older files.
    public var flips: [ItemFlip]? = nil

    /// The flips that went `direction`.
    public func flips(_ direction: ItemFlip.Direction) -> [ItemFlip] { (flips ?? []).filter { $0.direction == direction } }
}
