import Foundation
import Harness
import Metrics
import Sandbox
import Tasks

/// Evaluates a `LanguageModel` on tasks: renders items, sends the model batches of the task's
/// request type, scores each item and aggregates the task's metrics with their uncertainty.
public struct Evaluator: Sendable {
    public var model: any LanguageModel
    /// Items per task (the first N), or nil for all.
    public var limit: Int?
    /// Seed of few-shot sampling and of bootstrap intervals.
    public var seed: UInt64
    /// Items sent to the model per call (progress is reported between calls).
    public var chunkSize = 64
    /// Bootstrap resamples for corpus-level metrics' intervals.
    public var bootstrapResamples = 1000
    /// Where code-execution tasks run their programs (each chunk's in parallel); nil: such a
    /// task is refused.
    public var sandbox: Sandbox?

    public init(model: any LanguageModel, limit: Int?, seed: UInt64) {
        self.model = model
        self.limit = limit
        self.seed = seed
    }

    /// Evaluates one task; `progress(done, total)` is called after each chunk of items.
    /// `instances` are the task's rendered items when the caller already has them.
    public func evaluate(_ task: any EvaluationTask, instances rendered: [TaskInstance]? = nil,
                         progress: (Int, Int) -> Void = { _, _ in }) async throws -> (TaskResult, [SampleRecord]) {
        let instances = try rendered ?? task.instances(limit: limit, seed: seed)
        var samples: [SampleRecord] = []
        samples.reserveCapacity(instances.count)
        var start = 0
        progress(0, instances.count)
        while start < instances.count {
            let chunk = Array(instances[start ..< min(start + chunkSize, instances.count)])
            let responses = try await respond(to: chunk, task: task)
            let scores = try await score(chunk, responses: responses, task: task)
            for ((instance, response), score) in zip(zip(chunk, responses), scores) {
                samples.append(SampleRecord(id: instance.id, promptSHA256: ContentHash.sha256(instance.shownText), target: instance.target,
                                            response: response, extractedAnswer: score.extractedAnswer, values: score.values,
                                            outcome: score.outcome, prompt: instance.shownText))
            }
            start += chunk.count
            progress(start, instances.count)
        }
        let metrics = try task.metrics.map { try aggregate($0, samples: samples, task: task.name) }
        return (TaskResult(name: task.name, version: task.version, contentHash: task.contentHash, outputType: task.outputType,
                           itemCount: samples.count, metrics: metrics), samples)
    }

    /// Each item's score; a code-execution task's programs run in the sandbox, in parallel.
    func score(_ instances: [TaskInstance], responses: [ModelResponse], task: any EvaluationTask) async throws -> [ItemScore] {
        if let coded = task as? any CodeExecutingTask, coded.executesCode {
            guard let sandbox else { throw RunnerError.invalid("task \(task.name) runs model-written code, which needs a sandbox") }
            return await coded.score(instances, responses: responses, sandbox: sandbox)
        }
        return zip(instances, responses).map { task.score($0, response: $1) }
    }

    /// The model's responses to `instances`, in order, by the task's request type.
    func respond(to instances: [TaskInstance], task: any EvaluationTask) async throws -> [ModelResponse] {
        switch task.outputType {
        case .multipleChoice:
            let requests = instances.flatMap(\.choiceRequests)
            let answers = try await model.loglikelihood(requests)
            var responses: [ModelResponse] = []
            var offset = 0
            for i in instances {
                responses.append(.choices(Array(answers[offset ..< offset + i.choices.count])))
                offset += i.choices.count
            }
            return responses
        case .loglikelihood:
            return try await model.loglikelihood(instances.map { LoglikelihoodRequest(context: $0.prompt, continuation: $0.target) })
                .map { .loglikelihood($0) }
        case .loglikelihoodRolling:
            return try await model.loglikelihoodRolling(instances.map { RollingLoglikelihoodRequest(text: $0.prompt) }).map { .rolling($0) }
        case .generateUntil:
            guard let g = task.generation else { throw RunnerError.invalid("task \(task.name) is generate_until but has no generation settings") }
            guard g.samples > 1 else {
                let requests = instances.map {
                    GenerationRequest(context: $0.prompt, stopSequences: g.stopSequences, maxTokens: g.maxTokens, temperature: g.temperature, topP: g.topP, seed: seed == 0 ? 1 : seed)
                }
                return try await model.generate(requests).map { .generation($0) }
            }
            // n answers per item, sample j drawn with its own seed (the same for every item, whose
            // contexts differ), so an item's answers do not depend on what shares its batch.
            let n = g.samples
            let requests = instances.flatMap { instance in
                (0 ..< n).map { j in
                    GenerationRequest(context: instance.prompt, stopSequences: g.stopSequences, maxTokens: g.maxTokens, temperature: g.temperature,
                                      topP: g.topP, seed: Self.sampleSeed(seed, sample: j))
                }
            }
            let answers = try await model.generate(requests)
            return instances.indices.map { .generations(Array(answers[$0 * n ..< ($0 + 1) * n])) }
        }
    }

    /// The sampler seed of answer `sample` when items get several (never 0).
    static func sampleSeed(_ seed: UInt64, sample: Int) -> UInt64 {
        var mix = SplitMix64(seed: seed &+ UInt64(sample) &* 0xD1B5_4A32_D192_ED03)
        return mix.next() | 1
    }

    /// One task-level metric from per-item values (``Metrics``' ``MetricSpec/aggregate(itemCount:bootstrap:value:)``).
    func aggregate(_ spec: MetricSpec, samples: [SampleRecord], task: String) throws -> MetricResult {
        let aggregate = try spec.aggregate(itemCount: samples.count, bootstrap: BootstrapConfiguration(resamples: bootstrapResamples, seed: seed)) { i, key in
            guard let v = samples[i].values[key] else {
                throw RunnerError.invalid("task \(task): item \(samples[i].id) has no value '\(key)' for metric \(spec.name)")
            }
            return v
        }
        return MetricResult(spec: spec, aggregate: aggregate)
    }
}
