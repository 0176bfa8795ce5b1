import Foundation
import Harness
import NativeModel
import Tasks
import Tokenizers

/// How `forgetbench pretrain` makes the toy world's base model (``ToyPretraining``).
public struct ToyPretrainingOptions: Codable, Sendable, Equatable {
    /// Optimiser steps (one pass over a corpus of `steps × batchSize` examples).
    public var steps = 4000
    public var batchSize = 32
    /// Peak learning rate (AdamW, linear warm-up then cosine decay to 0).
    public var learningRate = 3e-3
    public var warmupSteps = 100
    public var weightDecay = 0.01
    /// Seed of the weights' initialisation, the corpus and its shuffle.
    public var seed: UInt64 = 1
    /// Model width (hidden size); heads of 24 dimensions.
    public var hiddenSize = 96
    public var layers = 4
    public var intermediateSize = 256
    /// Context length in tokens (characters).
    public var contextLength = 64

    public init() {}

    /// The transformer this produces: Llama architecture, untied embeddings, character vocabulary.
    public var config: TransformerConfig {
        TransformerConfig(hiddenSize: hiddenSize, intermediateSize: intermediateSize, layerCount: layers,
                          headCount: hiddenSize / 24, kvHeadCount: hiddenSize / 24, vocabSize: ToyVocabulary.size,
                          maxPositions: contextLength, bosTokenID: ToyVocabulary.bosID, eosTokenIDs: [ToyVocabulary.eosID])
    }
}

/// The pretraining of the toy world's base model: a seeded random initialisation, then full
/// training on ``ToyWorld/pretrainingCorpus(examples:seed:)`` (loss on the response tokens and EOS,
/// the sequence `BOS prompt response EOS` exactly as `forgetbench mask` builds it with the `plain`
/// chat format). Deterministic for given options on a given machine.
public enum ToyPretraining {
    /// Tokenized corpus: `BOS + prompt`, unlabeled; `response + EOS`, labeled.
    public static func sequences(_ corpus: [ToyWorld.Example], tokenizer: any Tokenizer) -> [LabeledSequence] {
        corpus.map { example in
            let prompt = tokenizer.encode(example.prompt, addSpecialTokens: true)
            let response = tokenizer.encode(example.response, addSpecialTokens: false) + [ToyVocabulary.eosID]
            return LabeledSequence(inputIDs: prompt + response, labels: [Int](repeating: -100, count: prompt.count) + response)
        }
    }

    /// Trains the base model and writes it to `output` (`config.json`, `model.safetensors`,
    /// `generation_config.json`, `tokenizer.json`, `pretrain.json` with the options) through a
    /// temporary sibling directory, so `output` is replaced whole or not at all.
    /// - Parameter log: receives progress lines (about every 5% of the steps) and a summary.
    /// - Returns: the final training loss (mean over the last step's response tokens).
    /// - Throws: file errors, or `TrainingError` when the loss diverges.
    @discardableResult
    public static func run(options: ToyPretrainingOptions, output: URL, log: (String) -> Void) throws -> Double {
        let fm = FileManager.default
        let parent = output.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        let staging = parent.appendingPathComponent(".\(output.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: staging) }

        let tokenizerData = try ToyVocabulary.tokenizerJSON()
        let tokenizer = try HFTokenizer(data: tokenizerData, path: "tokenizer.json")

        let corpus = ToyWorld.pretrainingCorpus(examples: options.steps * options.batchSize, seed: options.seed)
        let examples = sequences(corpus, tokenizer: tokenizer)
        let config = options.config
        let weights = LlamaWeights.random(config: config, seed: options.seed)
        log("pretraining the toy base model: \(config.parameterCount) parameters (\(config.layerCount) layers, width \(config.hiddenSize)), "
            + "\(examples.count) examples from \(ToyWorld.tasks.count) tasks, \(options.steps) steps of \(options.batchSize)")

        var settings = TrainingSettings()
        settings.learningRate = options.learningRate
        settings.epochs = 1
        settings.batchSize = options.batchSize
        settings.warmupSteps = options.warmupSteps
        settings.weightDecay = options.weightDecay
        settings.seed = options.seed
        settings.checkpointEvery = 0
        let trainer = Trainer(weights: weights, settings: settings)
        let started = Date()
        let every = max(1, options.steps / 20)
        var finalLoss = Double.nan
        var window: [Double] = []
        try trainer.train(examples, progress: { p in
            finalLoss = p.loss
            window.append(p.loss)
            guard p.step % every == 0 || p.step == p.totalSteps else { return }
            let mean = window.reduce(0, +) / Double(window.count)
            window.removeAll()
            log(String(format: "step %d/%d  loss %.4f (mean of the last %d)  lr %.2e  %.0f tok/s  elapsed %.0fs  ETA %.0fs",
                       p.step, p.totalSteps, mean, every, p.learningRate, p.tokensPerSecond,
                       Date().timeIntervalSince(started), p.secondsRemaining))
        })

        try HFCheckpointWriter.write(weights, tokenizer: nil, to: staging)
        try tokenizerData.write(to: staging.appendingPathComponent("tokenizer.json"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(options).write(to: staging.appendingPathComponent("pretrain.json"))
        if fm.fileExists(atPath: output.path) {
            let old = parent.appendingPathComponent(".\(output.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
            try fm.moveItem(at: output, to: old)
            try fm.moveItem(at: staging, to: output)
            try? fm.removeItem(at: old)
        } else {
            try fm.moveItem(at: staging, to: output)
        }
        log(String(format: "wrote %@ in %.0fs (final loss %.4f)", output.path, Date().timeIntervalSince(started), finalLoss))
        return finalLoss
    }
}
