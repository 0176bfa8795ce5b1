import Foundation
import Harness
import Metrics

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
            for (instance, response) in zip(chunk, responses) {
                let score = task.score(instance, response: response)
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
            let requests = instances.map {
                GenerationRequest(context: $0.prompt, stopSequences: g.stopSequences, maxTokens: g.maxTokens, temperature: g.temperature, topP: g.topP, seed: seed == 0 ? 1 : seed)
            }
            return try await model.generate(requests).map { .generation($0) }
        }
    }

    /// One task-level metric from per-item values.
    func aggregate(_ spec: MetricSpec, samples: [SampleRecord], task: String) throws -> MetricResult {
        func column(_ key: String) throws -> [Double] {
            try samples.map { s in
                guard let v = s.values[key] else { throw RunnerError.invalid("task \(task): item \(s.id) has no value '\(key)' for metric \(spec.name)") }
                return v
            }
        }
        guard !samples.isEmpty else {
            return MetricResult(name: spec.name, polarity: spec.polarity, aggregation: spec.aggregation, value: .nan, standardError: nil, interval95: nil)
        }
        switch spec.aggregation {
        case .mean:
            // A mean of 0/1 items is a proportion: Wilson interval; any other mean: normal.
            let summary = try MeanSummary.summarizing(column(spec.name))
            return MetricResult(name: spec.name, polarity: spec.polarity, aggregation: .mean, value: summary.mean,
                                standardError: summary.standardError, interval95: summary.interval.map { [$0.lower, $0.upper] },
                                intervalKind: summary.intervalKind)
        case .perplexity, .bitsPerByte:
            let ll = try column("loglikelihood")
            let units = try column(spec.aggregation == .bitsPerByte ? "bytes" : (spec.unitsKey ?? "tokens"))
            let statistic = { (indices: [Int]) throws -> Double in
                let l = indices.map { ll[$0] }, u = indices.map { Int(units[$0]) }
                return spec.aggregation == .bitsPerByte
                    ? try LikelihoodAggregation.bitsPerByte(logLikelihoods: l, byteCounts: u)
                    : try LikelihoodAggregation.weightedPerplexity(logLikelihoods: l, units: u)
            }
            let value = try statistic(Array(ll.indices))
            var interval: [Double]?
            if samples.count >= 2 {
                let replicates = try Bootstrap.replicates(itemCount: ll.count, configuration: BootstrapConfiguration(resamples: bootstrapResamples, seed: seed), statistic: statistic)
                let ci = Bootstrap.percentileInterval(replicates: replicates, level: 0.95)
                interval = [ci.lower, ci.upper]
            }
            return MetricResult(name: spec.name, polarity: spec.polarity, aggregation: spec.aggregation, unitsKey: spec.unitsKey,
                                value: value, standardError: nil, interval95: interval, intervalKind: .bootstrapPercentile)
        }
    }
}

/// A problem the runner found in what it was given; the description is one line.
public enum RunnerError: Error, CustomStringConvertible, Sendable {
    case invalid(String)
    public var description: String {
        switch self {
        case .invalid(let s): return s
        }
    }
}
