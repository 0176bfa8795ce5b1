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
    /// Generates every job with continuous batching: up to `maxConcurrent` sequences decode together,
    /// one forward pass a step for all of them, a new job's prompt joining the pass in the step after
    /// a slot frees up. Each sequence has its own KV-cache slot, sampler and stop sequences.
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
        for job in jobs {
            try checkTokens(job.prompt)
            guard !job.prompt.isEmpty else { throw EngineError.invalidInput("the prompt has no tokens") }
            guard job.prompt.count < maxContextLength else {
                throw EngineError.invalidInput("the prompt has \(job.prompt.count) tokens; the model's context is \(maxContextLength)")
            }
            guard job.seed != 0 || job.temperature == 0 else { throw EngineError.invalidInput("the sampler needs a non-zero seed") }
        }
        var outcomes = [GenerationOutcome?](repeating: nil, count: jobs.count)
        let slots = max(1, min(maxConcurrent, jobs.count))
        let cache = KVCache(config: config, capacities: Array(repeating: 0, count: slots))
        var freeSlots = Array((0 ..< slots).reversed())
        var running: [RunningSequence] = []
        var pending = jobs.indices.makeIterator()
        var waiting = pending.next()
        var held = 0

        while waiting != nil || !running.isEmpty {
            // Admit jobs while a slot and the cache budget allow (at least one job always runs).
            while let j = waiting, let slot = freeSlots.last {
                let job = jobs[j]
                let capacity = min(maxContextLength, job.prompt.count + job.maxNewTokens)
                if let cacheBudget, !running.isEmpty, held + capacity > cacheBudget { break }
                freeSlots.removeLast()
                cache.reset(slot: slot, capacity: capacity)
                held += capacity
                running.append(RunningSequence(job: j, slot: slot, capacity: capacity, next: job.prompt,
                                               sampler: Sampler(temperature: job.temperature, topP: job.topP, seed: job.seed == 0 ? 1 : job.seed),
                                               promptText: job.stopSequences.isEmpty ? "" : tokenizer.decode(job.prompt, skipSpecialTokens: true)))
                waiting = pending.next()
            }
            // Sequences with nothing left to do finish before the pass.
            running.removeAll { sequence in
                let job = jobs[sequence.job]
                guard sequence.generated.count >= job.maxNewTokens || cache.lengths[sequence.slot] + sequence.next.count > sequence.capacity else { return false }
                outcomes[sequence.job] = GenerationOutcome(tokens: sequence.generated, text: continuationText(prompt: job.prompt, generated: sequence.generated), finishReason: .length)
                freeSlots.append(sequence.slot)
                held -= sequence.capacity
                return true
            }
            guard !running.isEmpty else { continue }

            let logits = transformer.forward(running.map(\.next), cache: cache, slots: running.map(\.slot), logits: .last)
            var finished: [Int] = []
            for i in running.indices {
                let job = jobs[running[i].job]
                let token = running[i].sampler.sample(logits.pointer + i * config.vocabSize, count: config.vocabSize)
                if stopTokenIDs.contains(token) {
                    outcomes[running[i].job] = GenerationOutcome(tokens: running[i].generated,
                                                                 text: continuationText(prompt: job.prompt, generated: running[i].generated), finishReason: .stop)
                    finished.append(i)
                    continue
                }
                running[i].generated.append(token)
                onToken?(running[i].job, token)
                running[i].next = [token]
                if !job.stopSequences.isEmpty {
                    let text = Self.continuation(tokenizer.decode(job.prompt + running[i].generated, skipSpecialTokens: true), after: running[i].promptText)
                    if let cut = Self.firstStop(in: text, job.stopSequences) {
                        outcomes[running[i].job] = GenerationOutcome(tokens: running[i].generated, text: String(text[..<cut]), finishReason: .stop)
                        finished.append(i)
                    }
                }
            }
            for i in finished.reversed() {
                freeSlots.append(running[i].slot)
                held -= running[i].capacity
                running.remove(at: i)
            }
        }
        return outcomes.map { $0! }
    }
}

/// A job being decoded: its slot, what it has produced, and the tokens the next pass feeds it.
private struct RunningSequence {
    let job: Int
    let slot: Int
    let capacity: Int
    var next: [Int]
    var sampler: Sampler
    let promptText: String
    var generated: [Int] = []
}
