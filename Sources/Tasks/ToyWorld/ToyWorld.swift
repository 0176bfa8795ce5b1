import Foundation
import Harness

/// The built-in toy world: the embedded default world the quickstart experiment runs in, small
/// enough that an experiment of 15 LoRA fine-tunes fits in minutes on two CPU cores, built to
/// reproduce the paper's conditions (see `docs/toy-world.md`).
///
/// - Non-target skills (learned in pretraining, answered in the varied house style of
///   ``ToyAnswerStyle``, `A: 26` or `A: so that makes 26.`):
///   ``ToyReverseTask`` (`toy_reverse`), ``ToyUppercaseTask`` (`toy_upper`),
///   ``ToySuccessorTask`` (`toy_successor`), ``ToyCompareTask`` (`toy_max`, multiple choice) and
///   ``ToyFactsTask`` (`toy_facts`, memorised facts).
/// - The target skill ``ToySubtractionTask`` (`toy_subtract`): the base model saw its borrow items
///   answered right less than half the time, so it is unsure of them; its ground truth is written in
///   the annotators' style, partly familiar.
/// - A small subword tokenizer (``ToyVocabulary``) and the base model `models/toy-base`, made by
///   `forgetbench pretrain` from ``pretrainingCorpus(examples:seed:)``.
public enum ToyWorld {
    /// The target task's name.
    public static let targetTaskName = "toy_subtract"

    /// Every toy task, non-target first, the target last.
    public static var tasks: [any ToyTask] {
        [ToyReverseTask(), ToyUppercaseTask(), ToySuccessorTask(), ToyCompareTask(), ToyFactsTask(), ToySubtractionTask()]
    }

    /// The target task.
    public static var target: ToySubtractionTask { ToySubtractionTask() }

    /// Names of the non-target tasks.
    public static var nonTargetTaskNames: [String] { tasks.map(\.name).filter { $0 != targetTaskName } }

    /// One pretraining example: a rendered prompt and the base-style response (` answer`).
    public struct Example: Hashable, Sendable {
        public var task: String
        public var prompt: String
        public var response: String
    }

    /// `examples` pretraining examples drawn with `seed`: a task by its ``ToyTaskInfo/pretrainingWeight``, then a
    /// uniformly random item of its pretrain split, its ``ToyTask/pretrainingAnswer(_:_:)`` (for
    /// multiple choice: the gold choice) phrased in the house style (``ToyAnswerStyle/house``: the
    /// bare answer or a varied sentence). Deterministic in (`examples`, `seed`).
    public static func pretrainingCorpus(examples: Int, seed: UInt64) -> [Example] {
        let all = tasks
        let pools = all.map { $0.items(.pretrain) }
        let weights = all.map(\.pretrainingWeight)
        let total = weights.reduce(0, +)
        var rng = SplitMix64(seed: seed)
        var result: [Example] = []
        result.reserveCapacity(examples)
        for _ in 0 ..< examples {
            var u = Double(rng.nextUniform()) * total
            var k = 0
            while k < all.count - 1, u >= weights[k] { u -= weights[k]; k += 1 }
            let item = pools[k][rng.below(pools[k].count)]
            let answer = all[k].pretrainingAnswer(item, &rng)
            result.append(Example(task: all[k].name, prompt: ToyFormat.prompt(item.question), response: ToyAnswerStyle.house.response(answer, &rng)))
        }
        return result
    }

    /// The fine-tuning and evaluation settings recommended for the quickstart (measured; see
    /// `docs/toy-world.md`). Plain values, so modules without the engine can read them.
    public struct RecommendedSettings: Sendable, Hashable {
        public var loraRank = 8
        public var loraAlpha = 16.0
        public var learningRate = 5e-3
        public var epochs = 3
        public var batchSize = 16
        public var warmupSteps = 5
        /// Ground-truth training examples (the first N of the target's training split).
        public var trainingExamples = 300
        /// Items per task at evaluation.
        public var evalLimit = 200
        /// STM's perplexity threshold.
        public var tau = 2.5
    }

    /// See ``RecommendedSettings``.
    public static let recommended = RecommendedSettings()
}
