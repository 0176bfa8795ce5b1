import Foundation
import Harness
import Sandbox
import Tasks

/// What building a data regime's training set kept and cost.
public struct DataRegimeSummary: Codable, Hashable, Sendable {
    /// `self-output` or `rephrase`.
    public var regime: String
    /// Training items asked.
    public var items: Int
    /// Items with at least one correct answer (the training set's size).
    public var kept: Int
    /// Answers drawn per item.
    public var samplesPerItem: Int
    /// Answers judged correct, over all items.
    public var correctAnswers: Int
    /// New tokens generated, over all answers.
    public var generatedTokens: Int
    /// Wall-clock seconds of sampling and scoring (0 when every answer came from the cache).
    public var seconds: Double

    /// Items dropped because no answer was correct.
    public var dropped: Int { items - kept }
}

/// Builds the data regimes of DESIGN.md from a task's training split:
/// - `self-output`: the base model answers each training prompt `samples` times; answers the task
///   judges correct are kept, and the one with the lowest sequence perplexity (per token) becomes
///   the item's response; items with no correct answer are dropped.
/// - `rephrase`: the same, but the model is shown the ground-truth answer as a reference (through
///   the spec's template) and asked to rewrite it; the rewrite is judged against the item.
/// Sampling is seeded per item and answer, so a rerun (or a resumed run through the cache) gives
/// the same set.
public struct DataRegimeBuilder {
    public var model: any LanguageModel
    public var task: any TrainableTask
    public var sampling: ExperimentSpec.Sampling
    public var seed: UInt64
    /// Requests per model call (progress is reported between calls).
    public var chunkSize = 64
    /// Turns a prompt into the text the model is shown: the chat formatter's prompt (a user turn
    /// and the generation prompt) when the run formats conversations with a chat template or a
    /// chat format, so the base answers as it would be asked in training; nil: the prompt as it is.
    public var formatPrompt: (@Sendable (String) throws -> String)?
    /// Where a code-execution task's answers are run (all of them in parallel); nil: one at a
    /// time in the task's fallback sandbox.
    public var sandbox: Sandbox?

    public init(model: any LanguageModel, task: any TrainableTask, sampling: ExperimentSpec.Sampling, seed: UInt64) {
        self.model = model
        self.task = task
        self.sampling = sampling
        self.seed = seed
    }

    /// The kept (prompt, response, id) triples and the summary. `progress(done, total)` counts answers.
    public func build(regime: String, instances: [TaskInstance], progress: (Int, Int) -> Void = { _, _ in })
        async throws -> (examples: [(id: String, prompt: String, response: String)], summary: DataRegimeSummary) {
        guard regime == "self-output" || regime == "rephrase" else { throw RunnerError.invalid("'\(regime)' is not a data regime") }
        let started = Date()
        let generation = task.generation ?? GenerationSettings(stopSequences: ["\n"], maxTokens: 64)
        var requests: [GenerationRequest] = []
        let shown: (String) throws -> String = formatPrompt ?? { $0 }
        for (i, instance) in instances.enumerated() {
            let context = try shown(regime == "rephrase"
                ? sampling.rephraseTemplate.replacingOccurrences(of: "{prompt}", with: instance.prompt)
                    .replacingOccurrences(of: "{reference}", with: task.groundTruthResponse(for: instance).trimmingCharacters(in: .whitespacesAndNewlines))
                : instance.prompt)
            for j in 0 ..< sampling.samples {
                var mix = SplitMix64(seed: seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(j) &* 0xD1B5_4A32_D192_ED03)
                requests.append(GenerationRequest(context: context, stopSequences: generation.stopSequences,
                                                  maxTokens: sampling.maxTokens ?? generation.maxTokens,
                                                  temperature: sampling.temperature, topP: sampling.topP, seed: mix.next() | 1))
            }
        }
        var answers: [GenerationResponse] = []
        answers.reserveCapacity(requests.count)
        progress(0, requests.count)
        while answers.count < requests.count {
            let chunk = Array(requests[answers.count ..< min(answers.count + chunkSize, requests.count)])
            answers += try await model.generate(chunk)
            progress(answers.count, requests.count)
        }

        // Judge each answer; score the correct ones' perplexity under the original prompt.
        var judged: [(item: Int, answer: GenerationResponse)] = []
        for (i, _) in instances.enumerated() {
            for j in 0 ..< sampling.samples {
                let answer = answers[i * sampling.samples + j]
                guard !answer.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
                judged.append((i, answer))
            }
        }
        let responses = judged.map { ModelResponse.generation($0.answer) }
        let scores: [ItemScore]
        if let coded = task as? any CodeExecutingTask, coded.executesCode, let sandbox {
            scores = await coded.score(judged.map { instances[$0.item] }, responses: responses, sandbox: sandbox)
        } else {
            scores = zip(judged, responses).map { task.score(instances[$0.item], response: $1) }
        }
        let candidates = zip(judged, scores).filter { $1.values[task.correctnessMetric] == 1 }.map { (item: $0.0.item, text: $0.0.answer.text) }
        let likelihoods = try await model.loglikelihood(try candidates.map {
            LoglikelihoodRequest(context: try shown(instances[$0.item].prompt), continuation: $0.text)
        })
        var best: [Int: (text: String, perTokenNLL: Double)] = [:]
        for (candidate, ll) in zip(candidates, likelihoods) {
            let nll = -ll.logLikelihood / Double(max(1, ll.tokenCount))
            if let current = best[candidate.item], current.perTokenNLL <= nll { continue }
            best[candidate.item] = (candidate.text, nll)
        }
        let examples = instances.enumerated().compactMap { i, instance in
            best[i].map { (id: instance.id, prompt: instance.prompt, response: $0.text) }
        }
        let summary = DataRegimeSummary(regime: regime, items: instances.count, kept: examples.count, samplesPerItem: sampling.samples,
                                         correctAnswers: candidates.count, generatedTokens: answers.map(\.tokenCount).reduce(0, +),
                                         seconds: Date().timeIntervalSince(started))
        return (examples, summary)
    }
}
