import Foundation
import Harness
import NativeModel

/// The training settings ForgetBench hands to an external trainer (`training.trainer: command`,
/// `forgetbench train --trainer-command`), written as the JSON file behind `{settings}`.
///
/// `integrations/hf/train.py` reads it; its keys are that script's (snake_case). With
/// `lora_init: forgetbench` and `order: forgetbench` the trainer starts from the adapter and visits the
/// examples in the order of the built-in trainer, so both give the same loss curve.
public struct ExternalTrainerSettings: Codable, Hashable, Sendable {
    public var formatVersion = 1
    public var createdBy = "forgetbench"
    /// `lora`, `dora` or `full`.
    public var method: String
    public var loraRank: Int
    public var loraAlpha: Double
    /// PEFT's `lora_dropout`, in [0, 1).
    public var loraDropout: Double
    /// Module names (`q_proj`, ...), or nil for every linear layer of the decoder (`all-linear`).
    public var targetModules: [String]?
    /// How LoRA's `A` is drawn: `forgetbench` (the built-in trainer's generator) or `peft`.
    public var loraInit = "forgetbench"
    /// LoRA: write the merged model instead of the adapter.
    public var merge: Bool
    /// Peak learning rate.
    public var learningRate: Double
    /// `cosine`, `linear` or `constant` after the warm-up.
    public var schedule = "cosine"
    public var warmupSteps: Int
    public var epochs: Int
    /// Examples per micro-batch per process.
    public var batchSize: Int
    /// Micro-batches per optimiser step.
    public var gradientAccumulation: Int
    /// Longest example in tokens (longer ones are cut); nil: the model's context.
    public var maxSeqLen: Int?
    public var weightDecay: Double
    /// Global gradient-norm clipping (0: off).
    public var maxGradNorm: Double
    public var seed: UInt64
    /// The order of examples: `forgetbench` (the built-in trainer's seeded shuffle) or `sequential`.
    public var order = "forgetbench"
    /// Weights and compute: `float32`, `bfloat16` or `float16`.
    public var dtype: String

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", createdBy = "created_by", method, loraRank = "lora_rank", loraAlpha = "lora_alpha"
        case loraDropout = "lora_dropout", targetModules = "target_modules", loraInit = "lora_init", merge
        case learningRate = "learning_rate", schedule, warmupSteps = "warmup_steps", epochs, batchSize = "batch_size"
        case gradientAccumulation = "gradient_accumulation", maxSeqLen = "max_seq_len", weightDecay = "weight_decay"
        case maxGradNorm = "max_grad_norm", seed, order, dtype
    }

    /// The settings equivalent to the built-in trainer's `settings` and `method`.
    public init(settings: TrainingSettings, method: FineTuningMethod, merge: Bool = false, maxSeqLen: Int?, dtype: String = "float32",
                targetModules: [String]? = nil) {
        switch method {
        case let .lora(rank, alpha, dropout):
            self.method = "lora"
            loraRank = rank
            loraAlpha = alpha
            loraDropout = dropout
        case .full:
            self.method = "full"
            loraRank = 8
            loraAlpha = 16
            loraDropout = 0
        }
        self.targetModules = targetModules
        self.merge = merge
        learningRate = settings.learningRate
        warmupSteps = settings.warmupSteps
        epochs = settings.epochs
        batchSize = settings.batchSize
        gradientAccumulation = settings.gradientAccumulation
        self.maxSeqLen = maxSeqLen
        weightDecay = settings.weightDecay
        maxGradNorm = settings.maxGradientNorm
        seed = settings.seed
        self.dtype = dtype
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(formatVersion, forKey: .formatVersion)
        try c.encode(createdBy, forKey: .createdBy)
        try c.encode(method, forKey: .method)
        try c.encode(loraRank, forKey: .loraRank)
        try c.encode(loraAlpha, forKey: .loraAlpha)
        try c.encode(loraDropout, forKey: .loraDropout)
        if let targetModules { try c.encode(targetModules, forKey: .targetModules) } else { try c.encode("all-linear", forKey: .targetModules) }
        try c.encode(loraInit, forKey: .loraInit)
        try c.encode(merge, forKey: .merge)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(warmupSteps, forKey: .warmupSteps)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(gradientAccumulation, forKey: .gradientAccumulation)
        try c.encode(maxSeqLen, forKey: .maxSeqLen)   // null, not absent: the model's context
        try c.encode(weightDecay, forKey: .weightDecay)
        try c.encode(maxGradNorm, forKey: .maxGradNorm)
        try c.encode(seed, forKey: .seed)
        try c.encode(order, forKey: .order)
        try c.encode(dtype, forKey: .dtype)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try c.decode(Int.self, forKey: .formatVersion)
        createdBy = try c.decode(String.self, forKey: .createdBy)
        method = try c.decode(String.self, forKey: .method)
        loraRank = try c.decode(Int.self, forKey: .loraRank)
        loraAlpha = try c.decode(Double.self, forKey: .loraAlpha)
        loraDropout = try c.decode(Double.self, forKey: .loraDropout)
        targetModules = try? c.decode([String].self, forKey: .targetModules)
        loraInit = try c.decode(String.self, forKey: .loraInit)
        merge = try c.decode(Bool.self, forKey: .merge)
        learningRate = try c.decode(Double.self, forKey: .learningRate)
        schedule = try c.decode(String.self, forKey: .schedule)
        warmupSteps = try c.decode(Int.self, forKey: .warmupSteps)
        epochs = try c.decode(Int.self, forKey: .epochs)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        gradientAccumulation = try c.decode(Int.self, forKey: .gradientAccumulation)
        maxSeqLen = try c.decodeIfPresent(Int.self, forKey: .maxSeqLen)
        weightDecay = try c.decode(Double.self, forKey: .weightDecay)
        maxGradNorm = try c.decode(Double.self, forKey: .maxGradNorm)
        seed = try c.decode(UInt64.self, forKey: .seed)
        order = try c.decode(String.self, forKey: .order)
        dtype = try c.decode(String.self, forKey: .dtype)
    }

    /// Writes the settings as pretty JSON (sorted keys), atomically.
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        try AtomicFile.write(data, to: url)
    }
}
