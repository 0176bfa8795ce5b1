import Foundation
import Harness
import Sandbox

/// A YAML task with a `training:` split: evaluated as its `YAMLTask`, and trainable (the target
/// task of an experiment, `forgetbench tasks training-set NAME`). Training items are rendered
/// with the task's preamble and prompt (or the split's own), without few-shot examples; their ids
/// are the split's `id` template's, else `train-N` (N the record's 0-based index in its file).
public struct TrainableYAMLTask: TrainableTask, ConfiguredTask, CodeExecutingTask {
    public let base: YAMLTask
    public let training: TrainingSplitSpec
    /// Responses rendered by `trainingInstances`, by item id, shared by copies of the task.
    let responses = ResponseTable()

    /// - Precondition: `base.spec.training` is set.
    public init(base: YAMLTask) {
        self.base = base
        training = base.spec.training!
    }

    public var name: String { base.name }
    public var version: String { base.version }
    public var description: String { base.description }
    public var outputType: OutputType { base.outputType }
    public var metrics: [MetricSpec] { base.metrics }
    public var generation: GenerationSettings? { base.generation }
    public var contentHash: String { base.contentHash }
    public var appliesChatTemplate: Bool { base.appliesChatTemplate }
    public var configuration: JSONValue { base.configuration }
    public var source: String { base.source }
    public var executesCode: Bool { base.executesCode }

    public func instances(limit: Int?, seed: UInt64) throws -> [TaskInstance] { try base.instances(limit: limit, seed: seed) }
    public func score(_ instance: TaskInstance, response: ModelResponse) -> ItemScore { base.score(instance, response: response) }
    public func score(_ instances: [TaskInstance], responses: [ModelResponse], sandbox: Sandbox) async -> [ItemScore] {
        await base.score(instances, responses: responses, sandbox: sandbox)
    }

    /// The first metric: the one an experiment's self-output regime keeps answers by.
    public var correctnessMetric: String { base.metrics.first?.name ?? "exact_match" }

    public func trainingInstances(limit: Int?) throws -> [TaskInstance] {
        try renderTrainingInstances(limit: limit).map(\.instance)
    }

    /// Training items with their responses.
    /// - Throws: `TaskError` for unreadable data or a record that does not render (naming the
    ///   file and line), or a task without a `target` for its training items.
    public func renderTrainingInstances(limit: Int?) throws(TaskError) -> [(instance: TaskInstance, response: String)] {
        guard let url = base.trainingURL else { return [] }
        _ = try DatasetReader.verify(training.dataset, at: url)
        let all = DatasetReader.select(try DatasetReader.read(url, format: training.dataset.format), training.dataset)
        let records = limit.map { Array(all.prefix(max(0, $0))) } ?? all
        guard let targetTemplate = training.target ?? base.spec.target else {
            throw .missingKey(base.spec.location("training"), key: "target", section: "training")
        }
        var result: [(TaskInstance, String)] = []
        result.reserveCapacity(records.count)
        for record in records {
            let prompt = base.spec.preamble + (try base.renderTemplate(training.prompt ?? base.spec.prompt, key: training.prompt == nil ? "prompt" : "training.prompt", record, path: url.path))
            let target = try base.renderTemplate(targetTemplate, key: training.target == nil ? "target" : "training.target", record, path: url.path)
            let response = try base.renderTemplate(training.response, key: "training.response", record, path: url.path)
            let id = try base.spec.id.map { t throws(TaskError) in try base.renderTemplate(t, key: "id", record, path: url.path) } ?? "train-\(record.index)"
            result.append((TaskInstance(id: id, prompt: prompt, target: target), response))
        }
        responses.store(result.map { ($0.0.id, $0.1) })
        return result
    }

    public func groundTruthResponse(for instance: TaskInstance) -> String {
        if let cached = responses.response(for: instance.id) { return cached }
        _ = try? renderTrainingInstances(limit: nil)
        return responses.response(for: instance.id) ?? ""
    }
}

/// Training responses by item id, shared by copies of a task (filled once, read many times).
final class ResponseTable: @unchecked Sendable {
    private let lock = NSLock()
    private var table: [String: String] = [:]

    func store(_ pairs: [(String, String)]) {
        lock.lock()
        defer { lock.unlock() }
        for (id, response) in pairs { table[id] = response }
    }

    func response(for id: String) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return table[id]
    }
}
