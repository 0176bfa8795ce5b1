import Foundation
import Harness
import Metrics

/// `results.json` of `forgetbench run`: the base model's scores, and per regime and seed the
/// candidate's masked fraction, training summary and paired comparison with the base, plus the
/// mean and spread across seeds. Timings are kept apart (``timings``) so that two runs of one spec
/// compare equal on everything else.
public struct ExperimentResults: Codable, Equatable, Sendable {
    public static let currentSchemaVersion = 1
    public var schemaVersion = Self.currentSchemaVersion
    public var harnessVersion = ForgetBenchVersion.current
    public var name: String
    public var description: String?
    /// sha256 of the spec file.
    public var specSHA256: String
    public var base: ModelRecord
    public var scorer: ModelRecord
    public var targetTasks: [String]
    public var nonTargetTasks: [String]
    public var seeds: [UInt64]
    public var tau: Double
    public var evaluationLimit: Int?
    /// The base model's scores (primary metric per task).
    public var baseScores: [BaseScore]
    public var trainingData: TrainingDataSummary
    public var dataRegimes: [DataRegimeSummary]
    public var regimes: [RegimeResult]
    /// Whether the spec had gates.
    public var gated: Bool
    public var timings: ExperimentTimings
    /// Candidates whose external trainer failed (nil when none did); they have no results above.
    public var trainingFailures: [TrainingFailure]?
    /// Statistics of the paper's conditions (see ``ExperimentConditions``); nil in older results.
    public var conditions: ExperimentConditions?

    /// Everything but the wall-clock times (for comparing two runs of one spec).
    public func withoutTimings() -> ExperimentResults {
        var copy = self
        copy.timings = ExperimentTimings()
        copy.dataRegimes = dataRegimes.map { var d = $0; d.seconds = 0; return d }
        copy.regimes = regimes.map { r in
            var r = r
            r.candidates = r.candidates.map { var c = $0; c.training.seconds = 0; c.training.resumed = false; return c }
            r.meanTrainingSeconds = 0
            return r
        }
        return copy
    }

    /// 0 when every gate passed, 2 when one failed, 3 when one was inconclusive and `strict` is set.
    /// 1 when a candidate's trainer failed (see ``trainingFailures``).
    public func exitCode(strict: Bool) -> Int32 {
        if let failures = trainingFailures, !failures.isEmpty { return 1 }
        let outcomes = regimes.flatMap { $0.candidates.flatMap { $0.comparison.gates.map(\.outcome) } }
        if outcomes.contains(.fail) { return 2 }
        if strict, outcomes.contains(.inconclusive) { return 3 }
        return 0
    }
}

/// One task's base score.
public struct BaseScore: Codable, Equatable, Sendable {
    public var task: String
    public var metric: String
    public var value: Double
    public var standardError: Double?
    public var items: Int
    /// The base run's 95% interval of `value` (`MetricResult.interval95`: Wilson for 0/1 metrics);
    /// nil when there is none, and in results written before it was recorded.
    public var interval95: [Double]? = nil
}

/// The training set before any regime.
public struct TrainingDataSummary: Codable, Equatable, Sendable {
    /// `task NAME (training split)` or the file's path.
    public var source: String
    public var sha256: String
    public var examples: Int
    public var responseTokens: Int
    /// Median and 90th percentile of the base model's per-token perplexity over response tokens.
    public var medianPerplexity: Double
    public var p90Perplexity: Double
    /// Share of response tokens above TAU.
    public var fractionAboveTau: Double
}

/// One regime's candidates and their summary across seeds.
public struct RegimeResult: Codable, Equatable, Sendable {
    public var regime: String
    /// `masking` or `data`.
    public var kind: String
    public var candidates: [CandidateResult]
    /// Mean over seeds of the share of response tokens masked out of the loss.
    public var maskedFraction: Double
    /// Mean and sample standard deviation over seeds.
    public var targetImprovement: Spread?
    public var targetImprovementPoints: Spread?
    public var backwardTransfer: Spread?
    public var backwardTransferPoints: Spread?
    /// Per task: the change of its primary metric in points, and in how many seeds it was significant.
    public var tasks: [TaskChangeSummary]
    public var meanTrainingSeconds: Double
    /// Gate outcomes over all seeds.
    public var gatesPassed: Int
    public var gatesFailed: Int
    public var gatesInconclusive: Int
}

/// One candidate (a regime and a seed).
public struct CandidateResult: Codable, Equatable, Sendable {
    public var seed: UInt64
    public var maskedTokens: Int
    public var responseTokens: Int
    public var trainingExamples: Int
    public var training: FineTuningSummary
    public var comparison: ComparisonResults

    public var maskedFraction: Double { responseTokens > 0 ? Double(maskedTokens) / Double(responseTokens) : 0 }
}

/// The change of one task's primary metric across a regime's seeds.
public struct TaskChangeSummary: Codable, Equatable, Sendable {
    public var task: String
    public var role: TaskRole
    public var metric: String
    /// `candidate - base` in points (×100 for 0-1 metrics), mean and spread over seeds.
    public var changePoints: Spread
    /// Mean over seeds of the 95% interval's half width, in points.
    public var meanHalfWidthPoints: Double?
    /// Largest (Holm-adjusted for non-target tasks) p-value over seeds.
    public var maxPValue: Double
    /// Seeds in which p < 0.05 and p < 0.01.
    public var significantSeeds05: Int
    public var significantSeeds01: Int
}

/// A mean with the sample standard deviation over seeds (0 for one seed).
public struct Spread: Codable, Equatable, Sendable {
    public var mean: Double
    public var standardDeviation: Double
    public var count: Int

    public init(_ values: [Double]) {
        count = values.count
        mean = SampleStatistics.mean(values) ?? .nan
        standardDeviation = SampleStatistics.sampleStandardDeviation(values) ?? 0
    }

    /// nil when any value is missing.
    public init?(_ values: [Double?]) {
        let present = values.compactMap { $0 }
        guard present.count == values.count, !present.isEmpty else { return nil }
        self.init(present)
    }
}

/// Wall-clock seconds per stage (summed over the attempts of a resumed run, as far as recorded).
public struct ExperimentTimings: Codable, Equatable, Sendable {
    public var totalSeconds: Double = 0
    public var baseEvaluationSeconds: Double = 0
    public var scoringSeconds: Double = 0
    public var dataSeconds: Double = 0
    public var trainingSeconds: Double = 0
    public var evaluationSeconds: Double = 0
    public init() {}
}
