/// How `Trainer` fine-tunes: the optimiser, the schedule and the batching.
public struct TrainingSettings: Codable, Sendable, Equatable {
    /// Peak learning rate.
    public var learningRate: Double = 2e-5
    public var epochs: Int = 3
    /// Examples per micro-batch (one forward and backward pass).
    public var batchSize: Int = 8
    /// Micro-batches per optimiser step.
    public var gradientAccumulation: Int = 1
    /// Optimiser steps of linear warm-up before the cosine decay.
    public var warmupSteps: Int = 0
    public var weightDecay: Double = 0
    /// Global gradient-norm clipping threshold (Hugging Face's default 1.0); 0 disables it.
    public var maxGradientNorm: Double = 1
    /// Seed of the per-epoch shuffle.
    public var seed: UInt64 = 42
    /// Save a resumable checkpoint every this many optimiser steps (and at the end); 0: only at the end.
    public var checkpointEvery: Int = 50

    public init() {}

    /// Optimiser steps for `examples` training examples.
    public func totalSteps(examples: Int) -> Int {
        let batches = (examples + batchSize - 1) / batchSize
        return max(1, (batches + gradientAccumulation - 1) / gradientAccumulation) * epochs
    }
}
