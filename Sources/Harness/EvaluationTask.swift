/// A task the harness can evaluate: declared in YAML or compiled in.
public protocol EvaluationTask: Sendable {
    var name: String { get }
    var version: String { get }
    var description: String { get }
    var outputType: OutputType { get }
    var metrics: [MetricSpec] { get }
    /// Present for `generate_until` tasks.
    var generation: GenerationSettings? { get }
    /// sha256 (hex) of everything that decides the items and their scoring: the resolved
    /// configuration and the dataset's bytes. Two runs are comparable only if it matches.
    var contentHash: String { get }
    /// The items, rendered, in a deterministic order. `limit` keeps the first N (after any
    /// task-defined selection); `seed` drives few-shot sampling.
    func instances(limit: Int?, seed: UInt64) throws -> [TaskInstance]
    /// Scores one item from the model's response.
    func score(_ instance: TaskInstance, response: ModelResponse) -> ItemScore

    /// Whether each prompt is shown as a user turn of the model's chat template (with the
    /// generation prompt), as lm-eval's `--apply_chat_template`. Default false.
    var appliesChatTemplate: Bool { get }
}

extension EvaluationTask {
    public var appliesChatTemplate: Bool { false }
}
