import Foundation
import Harness

/// An experiment: one base model, a training set, the regimes to compare, and the tasks to
/// measure gain and forgetting on. Read from `experiments/*.yaml` by ``ExperimentSpecParser``.
public struct ExperimentSpec: Codable, Hashable, Sendable {
    /// A model by kind, so that external engines can be added without changing the spec's shape.
    public struct Model: Codable, Hashable, Sendable {
        /// `native`: the built-in engine; `openai`: evaluated through an OpenAI-compatible server
        /// (``serving``), trained from `path`.
        public var kind: String
        /// Model directory or llama2.c checkpoint, relative to the spec file's directory or absolute.
        public var path: String
        public var tokenizer: String?
        /// `auto`, `plain`, `chatml` or `llama3`.
        public var chatFormat: String
        /// With `kind: openai`: the server.
        public var serving: Serving?
    }

    /// Where the training set comes from: a task's training split or a JSON Lines file.
    public struct TrainingData: Codable, Hashable, Sendable {
        public var task: String?
        public var file: String?
        /// The first N examples.
        public var limit: Int?
    }

    /// How the data regimes (`self-output`, `rephrase`) sample the base model.
    public struct Sampling: Codable, Hashable, Sendable {
        /// Answers drawn per training item.
        public var samples: Int
        public var temperature: Double
        public var topP: Double
        /// Token budget per answer (default: the task's).
        public var maxTokens: Int?
        /// For `rephrase`: the prompt, with `{prompt}` and `{reference}` replaced.
        public var rephraseTemplate: String
    }

    /// How each candidate is fine-tuned.
    public struct Training: Codable, Hashable, Sendable {
        /// `native`: the built-in engine; `command`: an external program (``command``).
        public var trainer: String
        /// `lora` (all linear layers, as the paper) or `full`.
        public var method: String
        public var loraRank: Int
        public var loraAlpha: Double
        public var loraDropout: Double
        public var learningRate: Double
        public var epochs: Int
        public var batchSize: Int
        public var gradientAccumulation: Int
        public var warmupSteps: Int
        public var weightDecay: Double
        public var maxGradientNorm: Double
        public var maxSequenceLength: Int?
        public var checkpointEvery: Int
        /// With `trainer: command`: the ``TrainerCommand`` template (placeholders `{data}`,
        /// `{settings}`, `{base}`, `{output}`, `{gpus}`).
        public var command: String?
        /// With `trainer: command`: processes to launch (`{gpus}`); nil means 1.
        public var gpus: Int?
        /// With `trainer: command`: `float32`, `bfloat16` or `float16`; nil means float32.
        public var dtype: String?
    }

    public var name: String
    public var description: String?
    public var model: Model
    /// The model that scores the training data (default: the base model, as the paper found best).
    public var scorer: Model?
    public var trainingData: TrainingData
    /// Regimes in report order: masking regimes (`ground-truth`, `stm:TAU`, `top-fraction:K`,
    /// `random:matched`, …) and data regimes (`self-output`, `rephrase`).
    public var regimes: [String]
    /// TAU of `stm` without a value and of `random:matched` / `lowest:matched`.
    public var tau: Double
    public var sampling: Sampling
    public var training: Training
    public var targetTasks: [String]
    public var nonTargetTasks: [String]
    /// Items per task (the first N), or nil for all.
    public var evaluationLimit: Int?
    /// Seed of evaluation (few-shot order, bootstrap) and of sampling.
    public var evaluationSeed: UInt64
    /// One candidate per regime and seed (the seed drives the shuffle, LoRA's initialisation and random masks).
    public var seeds: [UInt64]
    /// Default output directory, relative to the working directory.
    public var output: String?

    /// Every task, targets first.
    public var allTasks: [String] { targetTasks + nonTargetTasks }
}
