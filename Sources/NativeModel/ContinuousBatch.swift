import Harness

/// Continuous batching: generation jobs join and leave one running batch, every step one forward
/// pass over all running sequences (a new job's whole prompt, a running job's last token).
///
/// Jobs wait in submission order for a free slot and, with `cacheBudget`, for room in the KV cache;
/// they never fail for lack of room. Each job's tokens equal what it gives alone: the forward pass is
/// batch-invariant and each job has its own seeded sampler. Not thread-safe: submit and step from
/// one thread (the server does both on its engine queue).
public final class ContinuousBatch {
    public let model: NativeLanguageModel
    /// The most sequences in one step.
    public let maxConcurrent: Int
    /// The most KV-cache positions held at once (nil: no limit beyond `maxConcurrent`).
    public let cacheBudget: Int?

    private let cache: KVCache
    private var freeSlots: [Int]
    private var waiting: [Queued] = []
    private var running: [Running] = []
    private var held = 0

    public init(model: NativeLanguageModel, maxConcurrent: Int, cacheBudget: Int? = nil) {
        precondition(maxConcurrent >= 1, "maxConcurrent must be at least 1")
        self.model = model
        self.maxConcurrent = maxConcurrent
        self.cacheBudget = cacheBudget
        cache = KVCache(config: model.config, capacities: Array(repeating: 0, count: maxConcurrent))
        freeSlots = Array((0 ..< maxConcurrent).reversed())
    }

    /// Whether no job is waiting or running.
    public var isIdle: Bool { waiting.isEmpty && running.isEmpty }

    /// Sequences decoding now.
    public var runningCount: Int { running.count }

    /// Sequences the last `step()` ran its forward pass for (0 before the first, or when it had none).
    public private(set) var lastStepSequences = 0

    /// Queues `job`. `onToken` sees each new token; `onFinish` gets the outcome, from inside `step()`.
    /// - Throws: `EngineError.invalidInput` when the job is invalid (nothing is queued then).
    public func submit(_ job: GenerationJob, onToken: ((Int) -> Void)? = nil, onFinish: @escaping (GenerationOutcome) -> Void) throws {
        try model.validate(job)
        waiting.append(Queued(job: job, onToken: onToken, onFinish: onFinish))
    }

    /// Admits the waiting jobs that fit, finishes those with nothing left to do, then runs one forward
    /// pass for every running sequence and samples its next token.
    public func step() {
        admit()
        finishExhausted()
        lastStepSequences = running.count
        guard !running.isEmpty else { return }
        let vocab = model.config.vocabSize
        let logits = model.transformer.forward(running.map(\.next), cache: cache, slots: running.map(\.slot), logits: .last)
        var finished: [(Int, GenerationOutcome)] = []
        for i in running.indices {
            let job = running[i].job
            let token = running[i].sampler.sample(logits.pointer + i * vocab, count: vocab)
            if model.stopTokenIDs.contains(token), !job.ignoresEndOfSequence {
                finished.append((i, outcome(running[i], reason: .stop)))
                continue
            }
            running[i].generated.append(token)
            running[i].onToken?(token)
            running[i].next = [token]
            if !job.stopSequences.isEmpty {
                let text = NativeLanguageModel.continuation(model.tokenizer.decode(job.prompt + running[i].generated, skipSpecialTokens: true),
                                                            after: running[i].promptText)
                if let cut = NativeLanguageModel.firstStop(in: text, job.stopSequences) {
                    finished.append((i, GenerationOutcome(tokens: running[i].generated, text: String(text[..<cut]), finishReason: .stop)))
                }
            }
        }
        release(finished)
    }

    // MARK: - Steps

    private func admit() {
        while let next = waiting.first, let slot = freeSlots.last {
            let capacity = min(model.maxContextLength, next.job.prompt.count + next.job.maxNewTokens)
            if let cacheBudget, !running.isEmpty, held + capacity > cacheBudget { return }
            waiting.removeFirst()
            freeSlots.removeLast()
            cache.reset(slot: slot, capacity: capacity)
            held += capacity
            let job = next.job
            running.append(Running(job: job, slot: slot, capacity: capacity, next: job.prompt,
                                   sampler: Sampler(temperature: job.temperature, topP: job.topP, seed: job.seed == 0 ? 1 : job.seed),
                                   promptText: job.stopSequences.isEmpty ? "" : model.tokenizer.decode(job.prompt, skipSpecialTokens: true),
                                   onToken: next.onToken, onFinish: next.onFinish))
        }
    }

    /// Sequences that reached their token budget or their slot's capacity end with `length`.
    private func finishExhausted() {
        let done = running.indices.filter {
            running[$0].generated.count >= running[$0].job.maxNewTokens || cache.lengths[running[$0].slot] + running[$0].next.count > running[$0].capacity
        }
        release(done.map { ($0, outcome(running[$0], reason: .length)) })
    }

    private func outcome(_ sequence: Running, reason: FinishReason) -> GenerationOutcome {
        GenerationOutcome(tokens: sequence.generated, text: model.continuationText(prompt: sequence.job.prompt, generated: sequence.generated),
                          finishReason: reason)
    }

    /// Frees the slots of `finished` (indices into `running`, ascending) and reports their outcomes.
    private func release(_ finished: [(Int, GenerationOutcome)]) {
        for (i, outcome) in finished.reversed() {
            let sequence = running.remove(at: i)
            freeSlots.append(sequence.slot)
            held -= sequence.capacity
            sequence.onFinish(outcome)
        }
    }
}

private struct Queued {
    let job: GenerationJob
    let onToken: ((Int) -> Void)?
    let onFinish: (GenerationOutcome) -> Void
}

/// A job being decoded: its slot, what it has produced, and the tokens the next pass feeds it.
private struct Running {
    let job: GenerationJob
    let slot: Int
    let capacity: Int
    var next: [Int]
    var sampler: Sampler
    let promptText: String
    let onToken: ((Int) -> Void)?
    let onFinish: (GenerationOutcome) -> Void
    var generated: [Int] = []
}
