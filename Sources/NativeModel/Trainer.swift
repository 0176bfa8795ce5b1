import Foundation
import Harness

/// One training sequence: token ids and labels of the same length (-100 where not trained; the label
/// at `t + 1` is the target of position `t`, as Hugging Face's causal-LM loss), and optionally a loss
/// weight per token (`weights[t + 1]` scales the loss of label `t + 1`; nil: every label weighs 1).
public struct LabeledSequence: Codable, Sendable, Equatable {
    public var inputIDs: [Int]
    public var labels: [Int]
    public var weights: [Float]?
    public init(inputIDs: [Int], labels: [Int], weights: [Float]? = nil) {
        precondition(weights == nil || weights!.count == labels.count, "one weight per label")
        self.inputIDs = inputIDs
        self.labels = labels
        self.weights = weights
    }
}

/// What `Trainer` reports after each optimiser step.
public struct TrainingProgress: Sendable {
    public var step: Int
    public var totalSteps: Int
    /// Mean loss over the step's counted tokens.
    public var loss: Double
    public var learningRate: Double
    /// Gradient norm before clipping.
    public var gradientNorm: Double
    /// Tokens (inputs, counted or not) processed per second since the run (or resume) started.
    public var tokensPerSecond: Double
    public var secondsRemaining: Double
}

/// Fine-tuning of a `LlamaWeights`: every weight in place (full fine-tuning) or a LoRA adapter with
/// the base frozen. Seeded shuffling, micro-batches with gradient accumulation, global-norm
/// clipping, AdamW with a warm-up + cosine schedule, and resumable checkpoints (trained tensors,
/// optimiser state and position, written atomically).
public final class Trainer: @unchecked Sendable {
    public let weights: LlamaWeights
    public let settings: TrainingSettings
    let pass: TrainingPass
    let gradients: Gradients
    let optimizer: AdamW
    /// The adapter being trained, when training LoRA.
    public let lora: LoRALayers?

    /// A trainer of every weight (`adapter` nil) or of `adapter` alone.
    public init(weights: LlamaWeights, settings: TrainingSettings, adapter: LoRAAdapter? = nil, loraDropout: Float = 0) {
        self.weights = weights
        self.settings = settings
        pass = TrainingPass(weights: weights)
        gradients = Gradients(zerosLike: weights)
        let lora = adapter.map { LoRALayers(adapter: $0, dropout: loraDropout) }
        self.lora = lora
        pass.lora = lora
        optimizer = AdamW(parameters: lora?.namedParameters ?? weights.namedTensors, configuration: AdamWConfiguration(weightDecay: settings.weightDecay))
    }

    /// The tensors the optimiser updates, by name.
    var trainedParameters: [(String, Tensor)] { lora?.namedParameters ?? weights.namedTensors }
    var trainedGradients: [(String, Tensor)] { lora?.namedGradients ?? gradients.namedTensors }

    /// The order of examples in `epoch`: a Fisher–Yates shuffle seeded by the settings' seed and the epoch.
    public func order(examples: Int, epoch: Int) -> [Int] {
        var indices = Array(0 ..< examples)
        var rng = SplitMix64(seed: settings.seed &+ UInt64(epoch) &* 0x9E37_79B9)
        for i in stride(from: examples - 1, to: 0, by: -1) { indices.swapAt(i, rng.below(i + 1)) }
        return indices
    }

    /// The optimiser steps: each a list of micro-batches, each a list of example indices.
    func plan(examples: Int) -> [[[Int]]] {
        var steps: [[[Int]]] = []
        for epoch in 0 ..< settings.epochs {
            let order = order(examples: examples, epoch: epoch)
            let batches = stride(from: 0, to: examples, by: settings.batchSize).map { Array(order[$0 ..< min($0 + settings.batchSize, examples)]) }
            steps += stride(from: 0, to: batches.count, by: settings.gradientAccumulation).map {
                Array(batches[$0 ..< min($0 + settings.gradientAccumulation, batches.count)])
            }
        }
        return steps
    }

    /// Trains on `examples`, starting after `completedSteps` optimiser steps (resume), calling
    /// `checkpoint(step)` at the checkpoint interval and `progress` after every step. Throws
    /// `TrainingError.nonFiniteLoss` before applying a step whose loss or gradient is NaN or infinite
    /// (the weights then hold the last good state).
    public func train(
        _ examples: [LabeledSequence], completedSteps: Int = 0,
        checkpoint: (Int) throws -> Void = { _ in }, progress: (TrainingProgress) -> Void = { _ in }
    ) throws {
        let steps = plan(examples: examples.count)
        let schedule = LearningRateSchedule(kind: .cosine, peak: settings.learningRate, warmupSteps: settings.warmupSteps, totalSteps: steps.count)
        let started = Date()
        var tokens = 0
        for (k, microBatches) in steps.enumerated() where k >= completedSteps {
            gradients.zero()
            lora?.zeroGradients()
            let counted = microBatches.joined().map { i in
                zip(examples[i].labels.dropFirst(), examples[i].inputIDs.dropFirst()).filter { $0.0 != -100 }.count
            }.reduce(0, +)
            var lossSum = 0.0
            for (j, batch) in microBatches.enumerated() {
                lora?.reseed(settings.seed ^ UInt64(k &* 7919 &+ j &+ 1) &* 0x2545_F491_4F6C_DD1D)
                let weighted = batch.contains { examples[$0].weights != nil }
                let loss = pass.lossAndGradients(sequences: batch.map { examples[$0].inputIDs }, labels: batch.map { examples[$0].labels },
                                                 weights: weighted ? batch.map { examples[$0].weights ?? [Float](repeating: 1, count: examples[$0].labels.count) } : nil,
                                                 gradients: gradients, normalizer: max(counted, 1))
                lossSum += loss.sum
                tokens += batch.map { examples[$0].inputIDs.count }.reduce(0, +)
            }
            let loss = counted > 0 ? lossSum / Double(counted) : 0
            let tensors = trainedGradients.map(\.1)
            let norm = settings.maxGradientNorm > 0 ? GradientClipping.clip(tensors, maxNorm: settings.maxGradientNorm) : GradientClipping.globalNorm(tensors)
            guard loss.isFinite, norm.isFinite else { throw TrainingError.nonFiniteLoss(step: k + 1, loss: loss) }
            let rate = schedule.rate(atStep: k)
            optimizer.step(gradients: trainedGradients, learningRate: rate)
            let elapsed = Date().timeIntervalSince(started)
            let done = k + 1 - completedSteps
            progress(TrainingProgress(step: k + 1, totalSteps: steps.count, loss: loss, learningRate: rate, gradientNorm: norm,
                                      tokensPerSecond: Double(tokens) / max(elapsed, 1e-9),
                                      secondsRemaining: elapsed / Double(done) * Double(steps.count - k - 1)))
            if k + 1 == steps.count || (settings.checkpointEvery > 0 && (k + 1) % settings.checkpointEvery == 0) {
                try checkpoint(k + 1)
            }
        }
    }

    /// Writes the trained tensors and optimiser state for resuming into `directory`
    /// (`weights.safetensors`, `optimizer.safetensors`); the caller records the step last, so a crash
    /// mid-write leaves the previous checkpoint valid.
    public func saveState(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try SafeTensorsFile.write(trainedParameters.map { (name: $0.0, tensor: $0.1) }, to: directory.appendingPathComponent("weights.safetensors"))
        try optimizer.save(to: directory.appendingPathComponent("optimizer.safetensors"))
    }

    /// Restores what `saveState(to:)` wrote.
    public func loadState(from directory: URL) throws {
        let file = try SafeTensorsFile(url: directory.appendingPathComponent("weights.safetensors"))
        for (name, tensor) in trainedParameters {
            let saved = try file.tensor(name)
            guard saved.shape == tensor.shape else {
                throw ModelLoadError(path: file.path, problem: "tensor '\(name)' has shape \(saved.shape), the model has \(tensor.shape)")
            }
            tensor.pointer.update(from: saved.pointer, count: tensor.count)
        }
        try optimizer.load(from: directory.appendingPathComponent("optimizer.safetensors"))
    }
}

/// Training that cannot go on; the description is one line.
public enum TrainingError: Error, CustomStringConvertible, Sendable {
    case nonFiniteLoss(step: Int, loss: Double)
    public var description: String {
        switch self {
        case let .nonFiniteLoss(step, loss):
            return "the loss became \(loss) (or the gradient non-finite) at step \(step); stopped before applying it, the last checkpoint holds the last good state (lower --lr or check the data)"
        }
    }
}
