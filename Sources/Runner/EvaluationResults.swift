import Harness
import Metrics

/// `results.json` of `forgetbench eval`: everything needed to compare two runs, versioned.
///
/// Two runs of the same model, tasks and settings produce byte-identical files except for
/// `timings`, which is kept apart for that reason.
public struct EvaluationResults: Codable, Equatable, Sendable {
    /// Bumped when a field changes meaning or is removed.
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    /// The ForgetBench version that wrote the file.
    public var harnessVersion: String
    public var model: ModelRecord
    public var settings: EvaluationSettings
    /// One entry per task, sorted by name.
    public var tasks: [TaskResult]
    /// Wall-clock seconds: not part of the results proper.
    public var timings: Timings

    public init(harnessVersion: String = ForgetBenchVersion.current, model: ModelRecord, settings: EvaluationSettings, tasks: [TaskResult], timings: Timings) {
        self.schemaVersion = Self.currentSchemaVersion
        self.harnessVersion = harnessVersion
        self.model = model
        self.settings = settings
        self.tasks = tasks
        self.timings = timings
    }

    /// The result for `name`, if evaluated.
    public func task(_ name: String) -> TaskResult? { tasks.first { $0.name == name } }
}

/// The model a run evaluated.
public struct ModelRecord: Codable, Equatable, Sendable {
    /// What the user passed (a path or a URL), for display only.
    public var source: String
    /// `native` for the built-in engine, `openai` for an OpenAI-compatible server.
    public var engine: String
    /// sha256 of the weights and tokenizer: what identifies the model.
    public var fingerprint: ModelFingerprint
    /// An adapter applied on top, when any (its own fingerprint).
    public var adapter: ModelFingerprint?
    /// The server's model id, for a remote (`openai`) model.
    public var name: String?
    /// The revision the user said the server serves (`--model-revision`), for a remote model.
    public var revision: String?
    /// Caveats about the model's identity, e.g. "cross-run cache reuse: off (no --model-revision)".
    public var notes: [String]?

    public init(source: String, engine: String, fingerprint: ModelFingerprint, adapter: ModelFingerprint? = nil,
                name: String? = nil, revision: String? = nil, notes: [String]? = nil) {
        self.source = source
        self.engine = engine
        self.fingerprint = fingerprint
        self.adapter = adapter
        self.name = name
        self.revision = revision
        self.notes = notes
    }
}

/// The settings of a run that decide its results.
public struct EvaluationSettings: Codable, Equatable, Sendable {
    public var tasks: [String]
    /// Items per task (the first N), or nil for all.
    public var limit: Int?
    /// Seed of few-shot sampling and of the bootstrap.
    public var seed: UInt64
    /// `i/n` when this run is one shard of a larger one.
    public var shard: String?
    /// `eval --apply-chat-template` / `--no-apply-chat-template`; nil: each task's
    /// `chat_template` decides.
    public var applyChatTemplate: Bool?
    /// sha256 of the chat template the prompts were rendered with, when any task used one.
    public var chatTemplateSHA256: String?

    enum CodingKeys: String, CodingKey {
        case tasks, limit, seed, shard
        case applyChatTemplate = "apply_chat_template", chatTemplateSHA256 = "chat_template_sha256"
    }

    public init(tasks: [String], limit: Int?, seed: UInt64, shard: String? = nil, applyChatTemplate: Bool? = nil) {
        self.tasks = tasks
        self.limit = limit
        self.seed = seed
        self.shard = shard
        self.applyChatTemplate = applyChatTemplate
    }
}

/// One task's outcome.
public struct TaskResult: Codable, Equatable, Sendable {
    public var name: String
    public var version: String
    /// `EvaluationTask.contentHash`: runs are comparable only when it matches.
    public var contentHash: String
    public var outputType: OutputType
    /// Items scored.
    public var itemCount: Int
    public var metrics: [MetricResult]

    public func metric(_ name: String) -> MetricResult? { metrics.first { $0.name == name } }
}

/// A task-level metric value with its uncertainty.
public struct MetricResult: Codable, Equatable, Sendable {
    public var name: String
    /// Which way the metric improves (`higher` / `lower` in results.json).
    @PolarityCoded public var polarity: MetricDirection
    public var aggregation: MetricAggregation
    /// For perplexity metrics: the per-item value counting units (`tokens`, `words`, `bytes`).
    public var unitsKey: String?
    public var value: Double
    /// Standard error of the mean (sample sd / √n) for mean metrics; nil for corpus-level ones.
    public var standardError: Double?
    /// 95% interval: Wilson for mean metrics of 0/1 items (accuracy, exact match), normal for
    /// other mean metrics, percentile bootstrap for corpus-level ones.
    public var interval95: [Double]?
    /// How `interval95` was computed (`wilson`, `normal`, `bootstrap_percentile`); nil when there
    /// is no interval (and in results written before it was recorded).
    public var intervalKind: IntervalKind?

    public init(name: String, polarity: MetricDirection, aggregation: MetricAggregation, unitsKey: String? = nil,
                value: Double, standardError: Double?, interval95: [Double]?, intervalKind: IntervalKind? = nil) {
        self.name = name
        self.polarity = polarity
        self.aggregation = aggregation
        self.unitsKey = unitsKey
        self.value = value
        self.standardError = standardError
        self.interval95 = interval95
        self.intervalKind = interval95 == nil ? nil : intervalKind
    }

    /// The result of aggregating `spec` (the units key is recorded for corpus-level metrics only).
    public init(spec: MetricSpec, aggregate: MetricAggregate) {
        self.init(name: spec.name, polarity: spec.direction, aggregation: spec.aggregation,
                  unitsKey: spec.aggregation == .mean ? nil : spec.unitsKey, value: aggregate.value,
                  standardError: aggregate.standardError, interval95: aggregate.interval.map { [$0.lower, $0.upper] },
                  intervalKind: aggregate.intervalKind)
    }

    /// The metric this result measures (name, direction, aggregation and units).
    public var spec: MetricSpec { MetricSpec(name: name, direction: polarity, aggregation: aggregation, unitsKey: unitsKey) }
}

/// Wall-clock time of a run, per task.
public struct Timings: Codable, Equatable, Sendable {
    public var totalSeconds: Double
    public var taskSeconds: [String: Double]
    public init(totalSeconds: Double, taskSeconds: [String: Double]) {
        self.totalSeconds = totalSeconds
        self.taskSeconds = taskSeconds
    }
}

/// The harness's version, recorded in results.
public enum ForgetBenchVersion {
    public static let current = "0.1.0"
}
