import Harness

/// One sequence for `NativeLanguageModel.generate(_:maxConcurrent:cacheBudget:onToken:)`.
public struct GenerationJob: Sendable, Equatable {
    /// Token ids of the prompt (at least one, fewer than the model's context).
    public var prompt: [Int]
    /// The most tokens to generate.
    public var maxNewTokens: Int
    /// 0 is greedy; otherwise llama2.c's sampler (softmax at this temperature, then top-p).
    public var temperature: Float
    /// Nucleus sampling's mass; 0 or 1 samples from the whole distribution.
    public var topP: Float
    /// The sampler's seed (non-zero unless greedy). A job draws only from its own generator, so its
    /// samples do not depend on what else is generated with it.
    public var seed: UInt64
    /// Text that ends the generation; the returned text stops before it.
    public var stopSequences: [String]
    /// Keep generating past end-of-sequence tokens (vLLM's `ignore_eos`; for benchmarks).
    public var ignoresEndOfSequence = false

    public init(prompt: [Int], maxNewTokens: Int, temperature: Float = 0, topP: Float = 1, seed: UInt64 = 1, stopSequences: [String] = []) {
        self.prompt = prompt
        self.maxNewTokens = maxNewTokens
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
        self.stopSequences = stopSequences
    }
}

/// What one generated sequence came to.
public struct GenerationOutcome: Sendable, Equatable {
    /// The new tokens (without a stop token).
    public var tokens: [Int]
    /// The continuation's text, cut before the first stop sequence.
    public var text: String
    public var finishReason: FinishReason
}

extension NativeLanguageModel {
    /// Generates every job with continuous batching (`ContinuousBatch`): up to `maxConcurrent`
    /// sequences decode together, one forward pass a step for all of them, a waiting job's prompt
    /// joining the pass in the step after a slot frees up. Each sequence has its own KV-cache slot,
    /// sampler and stop sequences.
    ///
    /// Outputs equal what each job gives alone (`generate(prompt:...)`): the forward pass is
    /// batch-invariant and every job samples from its own seeded generator.
    ///
    /// - Parameters:
    ///   - maxConcurrent: the most sequences in a step (at least 1).
    ///   - cacheBudget: the most KV-cache positions held at once, summed over running sequences
    ///     (each needs prompt + new tokens, capped at the context); jobs wait for room rather than
    ///     fail. A job larger than the whole budget runs alone. Nil: no limit beyond `maxConcurrent`.
    ///   - onToken: sees `(job index, token)` for each new token, in generation order.
    /// - Returns: one outcome per job, in job order.
    /// - Throws: `EngineError.invalidInput` before any work when a job's prompt is empty, too long,
    ///   holds an id outside the vocabulary, or samples with seed 0.
    public func generate(
        _ jobs: [GenerationJob], maxConcurrent: Int = 16, cacheBudget: Int? = nil,
        onToken: ((_ job: Int, _ token: Int) -> Void)? = nil
    ) throws -> [GenerationOutcome] {
        for job in jobs { try validate(job) }
        var outcomes = [GenerationOutcome?](repeating: nil, count: jobs.count)
        let batch = ContinuousBatch(model: self, maxConcurrent: max(1, min(maxConcurrent, jobs.count)), cacheBudget: cacheBudget)
        for (j, job) in jobs.enumerated() {
            try batch.submit(job, onToken: onToken.map { callback in { callback(j, $0) } }, onFinish: { outcomes[j] = $0 })
        }
        while !batch.isIdle { batch.step() }
        return outcomes.map { $0! }
    }

    /// Checks a job before it is queued.
    /// - Throws: `EngineError.invalidInput` when the prompt is empty, too long, holds an id outside
    ///   the vocabulary, or samples with seed 0.
    public func validate(_ job: GenerationJob) throws {
        try checkTokens(job.prompt)
        guard !job.prompt.isEmpty else { throw EngineError.invalidInput("the prompt has no tokens") }
        guard job.prompt.count < maxContextLength else {
            throw EngineError.invalidInput("the prompt has \(job.prompt.count) tokens; the model's context is \(maxContextLength)")
        }
        guard job.seed != 0 || job.temperature == 0 else { throw EngineError.invalidInput("the sampler needs a non-zero seed") }
    }
}
