import Foundation
import Jinja
import Harness
import Masking
import NativeModel

/// How a fine-tuning job trains: LoRA on all linear layers (the default, as the paper) or every weight.
public enum FineTuningMethod: Codable, Hashable, Sendable, CustomStringConvertible {
    case lora(rank: Int, alpha: Double, dropout: Double)
    case full

    public var description: String {
        switch self {
        case let .lora(rank, alpha, dropout): return "lora r=\(rank) alpha=\(alpha) dropout=\(dropout)"
        case .full: return "full"
        }
    }
}

/// What a finished fine-tuning job reports (written as `OUTPUT/training.json`, last, so its
/// presence means the output is complete).
public struct FineTuningSummary: Codable, Hashable, Sendable {
    public var examples: Int
    public var truncatedExamples: Int
    public var steps: Int
    public var finalLoss: Double
    /// Loss-bearing tokens per epoch.
    public var trainedTokens: Int
    public var method: String
    /// Wall-clock seconds of the training, summed over resumed attempts.
    public var seconds: Double
    /// Whether the job continued from a checkpoint.
    public var resumed: Bool
    /// The loss of every optimiser step, in order (nil in summaries written before it was recorded).
    public var losses: [Double]?
    /// The command that trained it (`training.trainer: command`), as run; nil for the built-in trainer.
    public var trainerCommand: [String]?
    /// The external trainer's exit status; nil for the built-in trainer.
    public var trainerExitCode: Int32?
}

/// Fine-tunes the built-in engine on a masked training set, with resumable checkpoints in
/// `OUTPUT/checkpoint`, and writes a PEFT LoRA adapter (or a merged / fully fine-tuned Hugging Face
/// model directory) to `OUTPUT`. Used by `forgetbench train` and by experiment runs.
public struct FineTuningJob {
    /// What to do when `OUTPUT/checkpoint` holds an earlier attempt.
    public enum ResumePolicy: Sendable {
        /// Continue it when it was made by the same job; refuse when it differs.
        case automatic
        /// Continue it (and fail without one): `train --resume`.
        case required
        /// Refuse to overwrite it: `train` without `--resume`.
        case refuse
    }

    public var model: NativeLanguageModel
    /// How the model was named on the command line (recorded in the adapter's config).
    public var modelSource: String
    public var settings: TrainingSettings
    public var method: FineTuningMethod
    /// For LoRA: write the merged model instead of the adapter.
    public var merge = false
    /// Longest example (tokens); longer ones are cut at the end. Default: the model's context.
    public var maxSequenceLength: Int?
    public var resume: ResumePolicy = .automatic
    /// Called with each optimiser step's progress.
    public var progress: ((TrainingProgress) -> Void)?

    public init(model: NativeLanguageModel, modelSource: String, settings: TrainingSettings, method: FineTuningMethod) {
        self.model = model
        self.modelSource = modelSource
        self.settings = settings
        self.method = method
    }

    /// Reads a masked training set (`forgetbench mask`'s output) after checking its manifest belongs to this model.
    /// - Throws: ``MaskingError`` naming the file and line of a bad record.
    public func readDataset(path: String) throws -> [LabeledSequence] {
        let manifest = try MaskedDatasetManifest.load(forDataset: path)
        try manifest.verify(against: model.fingerprint)
        let tokenizerSHA = FileManager.default.contents(atPath: model.tokenizerPath).map { ContentHash.sha256($0) }
        let template = try model.templateDirectory.flatMap { try ChatTemplate.load(directory: $0) }
        try manifest.verify(tokenizerSHA256: tokenizerSHA, chatTemplateSHA256: template.map { ContentHash.sha256($0.source) })
        return try MaskedDatasetReader.read(path: path, vocabularySize: model.config.vocabSize).map(LabeledSequence.init)
    }

    /// Trains on `examples` and writes the result to `output`, checkpointing as it goes.
    /// `dataSHA256` identifies the data (a resumed attempt must use the same).
    public func run(examples all: [LabeledSequence], dataSHA256: String, output: URL) throws -> FineTuningSummary {
        let limit = min(maxSequenceLength ?? model.maxContextLength, model.maxContextLength)
        var truncated = 0
        let examples = all.map { e -> LabeledSequence in
            guard e.inputIDs.count > limit else { return e }
            truncated += 1
            return LabeledSequence(inputIDs: Array(e.inputIDs.prefix(limit)), labels: Array(e.labels.prefix(limit)), weights: e.weights.map { Array($0.prefix(limit)) })
        }
        let checkpointURL = output.appendingPathComponent("checkpoint")
        let stateURL = checkpointURL.appendingPathComponent("trainer.json")
        let adapter: LoRAAdapter?
        let dropout: Double
        switch method {
        case let .lora(rank, alpha, d):
            adapter = LoRAAdapter.initialized(for: model.transformer.weights, rank: rank, alpha: alpha, seed: settings.seed)
            dropout = d
        case .full:
            adapter = nil
            dropout = 0
        }
        let trainer = Trainer(weights: model.transformer.weights, settings: settings, adapter: adapter, loraDropout: Float(dropout))
        var completed = 0
        var previousSeconds = 0.0
        var lastLoss = Double.nan
        var losses: [Double] = []
        let existing = FileManager.default.contents(atPath: stateURL.path)
        switch (resume, existing) {
        case (.required, nil):
            throw RunnerError.invalid("\(stateURL.path): no checkpoint to resume from (run without --resume)")
        case (.refuse, .some):
            throw RunnerError.invalid("\(output.path): holds a checkpoint of an earlier run: pass --resume to continue it, or choose another --output")
        case (_, let data?):
            guard let state = try? JSONDecoder().decode(FineTuningCheckpoint.self, from: data) else {
                throw RunnerError.invalid("\(stateURL.path): not a training checkpoint")
            }
            guard state.settings == settings, state.dataSHA256 == dataSHA256, state.baseModel == model.fingerprint, state.method == method.description else {
                throw RunnerError.invalid("\(stateURL.path): the checkpoint was made with other data, model or settings; resume with the same command or remove \(output.path)")
            }
            try trainer.loadState(from: checkpointURL.appendingPathComponent(state.directory ?? "."))
            completed = state.completedSteps
            previousSeconds = state.seconds ?? 0
            lastLoss = state.loss ?? .nan
            losses = state.losses ?? []
        case (_, nil):
            break
        }
        let started = Date()
        try FileManager.default.createDirectory(at: checkpointURL, withIntermediateDirectories: true)
        try trainer.train(examples, completedSteps: completed, checkpoint: { step in
            // Each checkpoint goes to a new folder; trainer.json names it, written last and
            // atomically, so a crash at any point leaves one complete, consistent checkpoint.
            let folder = "step-\(step)"
            try trainer.saveState(to: checkpointURL.appendingPathComponent(folder))
            let state = FineTuningCheckpoint(completedSteps: step, settings: settings, dataSHA256: dataSHA256, baseModel: model.fingerprint,
                                             method: method.description, seconds: previousSeconds + Date().timeIntervalSince(started),
                                             directory: folder, loss: lastLoss, losses: losses)
            try AtomicFile.write(JSONEncoder().encode(state), to: stateURL)
            for old in (try? FileManager.default.contentsOfDirectory(atPath: checkpointURL.path)) ?? [] where old.hasPrefix("step-") && old != folder {
                try? FileManager.default.removeItem(at: checkpointURL.appendingPathComponent(old))
            }
        }, progress: { p in
            lastLoss = p.loss
            losses.append(p.loss)
            progress?(p)
        })
        let tokenizerURL = URL(fileURLWithPath: model.tokenizerPath)
        if let adapter, !merge {
            try adapter.save(to: output, baseModel: modelSource, dropout: dropout)
        } else {
            if let adapter { try adapter.merge(into: model.transformer.weights) }
            try HFCheckpointWriter.write(model.transformer.weights, tokenizer: tokenizerURL, to: output)
        }
        let summary = FineTuningSummary(
            examples: examples.count, truncatedExamples: truncated, steps: settings.totalSteps(examples: examples.count), finalLoss: lastLoss,
            trainedTokens: examples.map { $0.labels.count { $0 != -100 } }.reduce(0, +), method: method.description,
            seconds: previousSeconds + Date().timeIntervalSince(started), resumed: completed > 0,
            losses: losses.count == settings.totalSteps(examples: examples.count) ? losses : nil)
        try AtomicFile.write(try RunDirectory.json(summary), to: output.appendingPathComponent("training.json"))
        return summary
    }

    /// The summary of a finished job in `output`, or nil when it has not finished.
    public static func finished(in output: URL) -> FineTuningSummary? {
        guard let data = FileManager.default.contents(atPath: output.appendingPathComponent("training.json").path) else { return nil }
        return try? RunDirectory.decoder().decode(FineTuningSummary.self, from: data)
    }
}

/// Where a training run stands, written after each checkpoint (`checkpoint/trainer.json`).
struct FineTuningCheckpoint: Codable {
    var completedSteps: Int
    var settings: TrainingSettings
    var dataSHA256: String
    var baseModel: ModelFingerprint
    /// `full`, or the LoRA rank, alpha and dropout.
    var method: String
    /// Training seconds so far.
    var seconds: Double?
    /// The folder under `checkpoint/` holding this step's tensors (older checkpoints: the folder itself).
    var directory: String?
    /// The loss of the last step before the checkpoint.
    var loss: Double?
    /// The loss of every step up to the checkpoint.
    var losses: [Double]?
}
