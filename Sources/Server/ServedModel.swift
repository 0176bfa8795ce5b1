import Dispatch
import Foundation
import NativeModel
import Tokenizers

/// The model a server serves: the built-in engine, its public id, one serial queue that runs all
/// engine work, and one continuous batch that all requests' generations share.
///
/// `NativeLanguageModel` is not safe to run from several threads at once (its passes share the
/// process-wide BLAS threads and the model's scratch); every scoring pass and every decoding step
/// runs on ``engineQueue``, one at a time, off Swift's cooperative pool, so that the HTTP layer keeps
/// accepting and parsing requests while the engine works.
///
/// Generation from concurrent requests decodes together (``generate(_:onToken:)``): each decoding
/// step is its own block on the engine queue, so a request that arrives while others decode joins
/// the running batch at the next step, and a scoring pass runs between two steps. Each sequence's
/// tokens equal what it gives alone (the engine's forward pass is batch-invariant, and every job
/// samples from its own seeded generator).
public final class ServedModel: Sendable {
    /// The model id clients name in `"model"` (`--model-name`, by default the checkpoint's base name).
    public let id: String
    /// When the server started serving the model (Unix seconds), reported as `created`.
    public let created: Int
    /// The engine. Touch it only inside ``withEngine(_:)``.
    public let engine: NativeLanguageModel
    /// How `/v1/chat/completions` turns messages into a prompt: the model's chat template, or a
    /// fallback format (`serve --chat-format`).
    public let chat: ChatFormatter
    /// The queue all engine work runs on; adapters' models share their base model's.
    private let engineQueue: DispatchQueue
    /// The batch every request's generations join; touched only on ``engineQueue``.
    private let batch: SharedBatch

    /// Serves `engine` as `id`; chat messages are formatted by `chat` (by default the engine's
    /// chat template, found beside its tokenizer, else plain text).
    ///
    /// With `sharingQueueOf`, the model's engine work runs on that model's engine queue (one pass at
    /// a time across both, as for one engine), with a batch of its own.
    public init(id: String, engine: NativeLanguageModel, chat: ChatFormatter? = nil, created: Int = Int(Date().timeIntervalSince1970),
                sharingQueueOf other: ServedModel? = nil) throws {
        self.id = id
        self.engineQueue = other?.engineQueue ?? DispatchQueue(label: "forgetbench.serve.engine", qos: .userInitiated)
        self.engine = engine
        self.chat = try chat ?? ChatFormatter(format: .auto, tokenizer: engine.tokenizer, templateDirectory: engine.templateDirectory)
        self.created = created
        self.batch = SharedBatch(batch: ContinuousBatch(model: engine, maxConcurrent: max(1, engine.generationBatchSize),
                                                        cacheBudget: engine.generationCacheBudget))
    }

    /// The model id a path gives by default: the base name of the file or directory without its
    /// extension (`models/stories260K.bin` -> `stories260K`, `models/TinyLlama/` -> `TinyLlama`).
    public static func defaultID(forModelPath path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        let name = (exists && isDirectory.boolValue) ? url.lastPathComponent : url.deletingPathExtension().lastPathComponent
        return name.isEmpty ? "model" : name
    }

    /// The longest token sequence the model accepts (prompt plus new tokens).
    public var maxContextLength: Int { engine.maxContextLength }

    /// Runs `body` with the engine on the engine queue, after all work submitted before it.
    /// - Throws: whatever `body` throws.
    public func withEngine<T: Sendable>(_ body: @escaping @Sendable (NativeLanguageModel) throws -> T) async throws -> T {
        let engine = self.engine
        return try await withCheckedThrowingContinuation { continuation in
            engineQueue.async {
                continuation.resume(with: Result(catching: { try body(engine) }))
            }
        }
    }

    /// Runs `body` on the engine queue, after all work submitted before it, without the engine
    /// (for work that must not overlap engine passes, such as loading another model).
    /// - Throws: whatever `body` throws.
    public func onEngineQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            engineQueue.async { continuation.resume(with: Result(catching: body)) }
        }
    }

    /// Generates `jobs` in the batch that all requests share, and returns their outcomes in job
    /// order once the last of them finishes. The jobs queue behind those already waiting and join
    /// the running sequences at the next decoding step (up to the engine's `generationBatchSize`
    /// sequences, within its `generationCacheBudget`); they wait, never fail, for room.
    /// - Parameters:
    ///   - onToken: sees `(job index, token)` for each new token, on the engine queue, in
    ///     generation order; it may call the engine's tokenizer (the engine is not running then).
    ///   - onFinish: sees `(job index, outcome)` as each job finishes, on the engine queue.
    /// - Throws: `EngineError.invalidInput` when a job is invalid (then none of them is queued).
    public func generate(_ jobs: [GenerationJob],
                         onToken: (@Sendable (_ job: Int, _ token: Int) -> Void)? = nil,
                         onFinish: (@Sendable (_ job: Int, _ outcome: GenerationOutcome) -> Void)? = nil) async throws -> [GenerationOutcome] {
        guard !jobs.isEmpty else { return [] }
        let engine = self.engine, batch = self.batch
        return try await withCheckedThrowingContinuation { continuation in
            engineQueue.async {
                do {
                    for job in jobs { try engine.validate(job) }
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                let collector = OutcomeCollector(count: jobs.count) { continuation.resume(returning: $0) }
                for (j, job) in jobs.enumerated() {
                    // Validated above, so submitting cannot throw.
                    try? batch.batch.submit(job, onToken: onToken.map { callback in { callback(j, $0) } },
                                            onFinish: { onFinish?(j, $0); collector.finish(j, $0) })
                }
                self.startStepping()
            }
        }
    }

    /// The most sequences that have decoded in one step of the shared batch so far.
    public var peakConcurrentSequences: Int {
        get async {
            let batch = self.batch
            return await withCheckedContinuation { continuation in engineQueue.async { continuation.resume(returning: batch.peak) } }
        }
    }

    /// Schedules decoding steps, one block each, until the batch is idle. Runs on the engine queue.
    private func startStepping() {
        guard !batch.stepping else { return }
        batch.stepping = true
        engineQueue.async { self.step() }
    }

    private func step() {
        batch.batch.step()
        batch.peak = max(batch.peak, batch.batch.lastStepSequences)
        if batch.batch.isIdle {
            batch.stepping = false
        } else {
            engineQueue.async { self.step() }
        }
    }
}

/// The server's continuous batch and its bookkeeping; touched only on the engine queue.
private final class SharedBatch: @unchecked Sendable {
    let batch: ContinuousBatch
    /// Whether a decoding step is scheduled.
    var stepping = false
    /// The most sequences one step has decoded.
    var peak = 0

    init(batch: ContinuousBatch) { self.batch = batch }
}

/// Gathers one request's outcomes, which finish in any order, and hands them over in job order
/// when the last arrives. Used on the engine queue only.
private final class OutcomeCollector: @unchecked Sendable {
    private var outcomes: [GenerationOutcome?]
    private var remaining: Int
    private let done: ([GenerationOutcome]) -> Void

    init(count: Int, done: @escaping ([GenerationOutcome]) -> Void) {
        outcomes = Array(repeating: nil, count: count)
        remaining = count
        self.done = done
    }

    func finish(_ index: Int, _ outcome: GenerationOutcome) {
        outcomes[index] = outcome
        remaining -= 1
        if remaining == 0 { done(outcomes.map { $0! }) }
    }
}
