import Foundation
import Harness

/// Which part of a toy task's item universe an item belongs to. The parts never overlap (except
/// for ``ToyFactsTask``, whose knowledge *is* its items; see there).
public enum ToySplit: String, Codable, Sendable, CaseIterable {
    /// Evaluation items (`instances(limit:seed:)`).
    case test
    /// Fine-tuning items (`trainingInstances(limit:)`), the ground truth an experiment trains on.
    case train
    /// Items only the base model's pretraining corpus uses.
    case pretrain
}

/// One item of a toy task before rendering: the question after `Q: ` and the short answer the
/// base model's style gives after `A: `; for multiple choice, the choices (answers) and the gold one.
public struct ToyItem: Hashable, Sendable {
    /// Stable id within the task (the item's index in the task's universe).
    public var id: String
    public var question: String
    public var answer: String
    /// Multiple choice only: the answers to choose from.
    public var choices: [String] = []
    public var goldIndex: Int?
}

/// What identifies a toy task (name, version, the seed of its items) and what share of the
/// pretraining corpus it takes: the values each toy task sets, in one declaration (``ToyTask/info``).
public struct ToyTaskInfo: Sendable, Hashable {
    /// The registry name (`toy_subtract`).
    public var name: String
    /// Bumped when the task's items or scoring change.
    public var version: String
    /// Seed of the task's item generator (recorded in its configuration, so in its content hash).
    public var seed: UInt64
    /// The task's relative weight in ``ToyWorld/pretrainingCorpus(examples:seed:)``.
    public var pretrainingWeight: Double
    /// One line for `forgetbench tasks`.
    public var description: String
}

/// A task of the built-in toy world: zero-shot `Q: …\nA:` prompts, answers in one short consistent
/// style (`" 42"`), items from a seeded generator partitioned into ``ToySplit``s. The protocol
/// supplies the `EvaluationTask`/`TrainableTask` plumbing; a task gives its items and extraction.
public protocol ToyTask: TrainableTask, ConfiguredTask {
    /// The task's name, version, seed, description and pretraining weight.
    static var info: ToyTaskInfo { get }
    /// Every item of `split`, in a fixed order (a pure function of the task's seed).
    func items(_ split: ToySplit) -> [ToyItem]
    /// Extraction then normalisation of a generated answer (generation tasks).
    var answerFilters: [AnswerFilter] { get }
    /// Normalisation of the gold answer (generation tasks).
    var targetAnswerFilters: [AnswerFilter] { get }
    /// The generator's parameters, recorded in the configuration (and so in the content hash).
    var generatorParameters: JSONObject { get }
    /// The answer a pretraining example of `item` gives (before ``ToyAnswerStyle/house`` phrases
    /// it): the gold answer, unless the task teaches some items unreliably (the target).
    func pretrainingAnswer(_ item: ToyItem, _ rng: inout SplitMix64) -> String
}

/// Rendering shared by every toy task.
public enum ToyFormat {
    /// `Q: {question}\nA:` — the model's response follows directly (base style: a space and the answer).
    public static func prompt(_ question: String) -> String { "Q: \(question)\nA:" }
    /// The base model's answer style: one space, the bare answer.
    public static func baseResponse(_ answer: String) -> String { " " + answer }
    /// Stop sequences and token budget of every toy generation task. The budget fits the
    /// annotators' longer style (≤ 30 characters), so a tuned model that adopts it is not cut off.
    public static let generation = GenerationSettings(stopSequences: ["\n"], maxTokens: 32)
}

extension ToyTask {
    public var name: String { Self.info.name }
    public var version: String { Self.info.version }
    public var description: String { Self.info.description }
    public var pretrainingWeight: Double { Self.info.pretrainingWeight }
    /// Seed of the task's item generator.
    public var dataSeed: UInt64 { Self.info.seed }

    public var outputType: OutputType { .generateUntil }
    public var generation: GenerationSettings? { outputType == .generateUntil ? ToyFormat.generation : nil }
    public var source: String { "compiled-in" }
    public var answerFilters: [AnswerFilter] { [.trim] }
    public var targetAnswerFilters: [AnswerFilter] { [.trim] }
    public func pretrainingAnswer(_ item: ToyItem, _ rng: inout SplitMix64) -> String {
        item.goldIndex.map { item.choices[$0] } ?? item.answer
    }

    var metricConfigs: [MetricConfig] {
        outputType == .multipleChoice
            ? [MetricConfig(name: "acc", kind: .acc, filters: [], targetFilters: [])]
            : [MetricConfig(name: "exact_match", kind: .exactMatch, filters: answerFilters, targetFilters: targetAnswerFilters)]
    }

    public var metrics: [MetricSpec] { metricConfigs.map(\.metricSpec) }
    public var correctnessMetric: String { metricConfigs[0].name }

    public var configuration: JSONValue {
        var members: JSONObject = [
            "name": .string(name), "version": .string(version), "output_type": .string(outputType.rawValue),
            "world": .string("toy"), "prompt": .string(ToyFormat.prompt("{question}")), "target_delimiter": .string(" "),
            "metrics": .array(metricConfigs.map(\.configValue)),
            "generator": .object(generatorParameters),
        ]
        if let g = generation {
            members["generation"] = .object(["until": .array(g.stopSequences.map(JSONValue.string)), "max_tokens": .number(String(g.maxTokens))])
        }
        return .object(members)
    }

    public var contentHash: String { ContentHash.sha256(configuration.canonicalJSON) }

    /// Renders a toy item as the harness sees it.
    public func render(_ item: ToyItem) -> TaskInstance {
        TaskInstance(id: item.id, prompt: ToyFormat.prompt(item.question), target: item.answer,
                     choices: item.choices.map { " " + $0 }, goldIndex: item.goldIndex)
    }

    /// The test split, rendered; `limit` keeps the first N. Zero-shot, so `seed` changes nothing.
    public func instances(limit: Int?, seed: UInt64) throws -> [TaskInstance] {
        Array(items(.test).prefix(max(0, limit ?? .max))).map(render)
    }

    /// The training split, rendered like the test items; `limit` keeps the first N.
    public func trainingInstances(limit: Int?) throws -> [TaskInstance] {
        Array(items(.train).prefix(max(0, limit ?? .max))).map(render)
    }

    /// The base style by default (`" " + answer`); a target task overrides it with its annotators' style.
    public func groundTruthResponse(for instance: TaskInstance) -> String {
        instance.goldIndex.map { instance.choices[$0] } ?? ToyFormat.baseResponse(instance.target)
    }

    public func score(_ instance: TaskInstance, response: ModelResponse) -> ItemScore {
        TaskScorer(outputType: outputType, metrics: metricConfigs).score(instance, response: response)
    }
}
