import Foundation
import Harness

/// Joins the outputs of `forgetbench eval --shard i/n` (one per shard) into the run an unsharded
/// evaluation would have written: the same samples in the same order and the same metrics.
public struct ShardMerger: Sendable {
    public var bootstrapResamples = 1000

    public init() {}

    /// Merges `runs`; throws when they do not belong together (different model, tasks, task
    /// hashes, settings or shard counts, a shard missing or given twice).
    public func merge(_ runs: [RunDirectory.Loaded]) throws -> (EvaluationResults, [String: [SampleRecord]]) {
        guard let first = runs.first else { throw RunnerError.invalid("merge needs at least one shard directory") }
        var shards: [Shard] = []
        for run in runs {
            guard let text = run.results.settings.shard else {
                throw RunnerError.invalid("\(run.directory.path): not a shard (it was run without --shard)")
            }
            shards.append(try Shard(parsing: text))
            let r = run.results, f = first.results
            guard r.model.fingerprint == f.model.fingerprint else {
                throw RunnerError.invalid("\(run.directory.path): model \(r.model.fingerprint) differs from \(f.model.fingerprint) in \(first.directory.path)")
            }
            guard r.settings.tasks == f.settings.tasks, r.settings.limit == f.settings.limit, r.settings.seed == f.settings.seed else {
                throw RunnerError.invalid("\(run.directory.path): tasks, --limit or --seed differ from \(first.directory.path)")
            }
            for (a, b) in zip(r.tasks, f.tasks) where a.name != b.name || a.version != b.version || a.contentHash != b.contentHash {
                throw RunnerError.invalid("\(run.directory.path): task \(a.name) v\(a.version) (hash \(a.contentHash.prefix(12))) differs from \(first.directory.path)")
            }
        }
        let count = shards[0].count
        guard shards.allSatisfy({ $0.count == count }) else {
            throw RunnerError.invalid("the shards were cut in different numbers of parts: \(shards.map(\.description).joined(separator: ", "))")
        }
        let indices = shards.map(\.index)
        guard Set(indices).count == indices.count else { throw RunnerError.invalid("a shard is given twice: \(shards.map(\.description).joined(separator: ", "))") }
        let missing = (1 ... count).filter { !indices.contains($0) }
        guard missing.isEmpty else { throw RunnerError.invalid("missing shard(s) \(missing.map { "\($0)/\(count)" }.joined(separator: ", "))") }

        let ordered = zip(shards, runs).sorted { $0.0.index < $1.0.index }.map(\.1)
        var samples: [String: [SampleRecord]] = [:]
        var tasks: [TaskResult] = []
        var seconds: [String: Double] = [:]
        let evaluator = Evaluator(model: NoModel(), limit: first.results.settings.limit, seed: first.results.settings.seed)
        for task in first.results.tasks {
            // Shard s holds items s-1, s-1+n, …: interleave them back into the original order.
            let parts = ordered.map { $0.samples[task.name] ?? [] }
            var merged: [SampleRecord] = []
            for k in 0 ..< (parts.map(\.count).max() ?? 0) {
                for part in parts where k < part.count { merged.append(part[k]) }
            }
            samples[task.name] = merged
            var evaluatorCopy = evaluator
            evaluatorCopy.bootstrapResamples = bootstrapResamples
            let metrics = try task.metrics.map { m in
                try evaluatorCopy.aggregate(m.spec, samples: merged, task: task.name)
            }
            tasks.append(TaskResult(name: task.name, version: task.version, contentHash: task.contentHash, outputType: task.outputType,
                                    itemCount: merged.count, metrics: metrics))
            seconds[task.name] = ordered.map { $0.results.timings.taskSeconds[task.name] ?? 0 }.reduce(0, +)
        }
        var settings = first.results.settings
        settings.shard = nil
        let results = EvaluationResults(harnessVersion: first.results.harnessVersion, model: first.results.model, settings: settings, tasks: tasks,
                                        timings: Timings(totalSeconds: ordered.map(\.results.timings.totalSeconds).reduce(0, +), taskSeconds: seconds))
        return (results, samples)
    }
}

/// Stands in for a model where only aggregation is needed.
private struct NoModel: LanguageModel {
    var fingerprint = ModelFingerprint(sha256: "", files: [])
    var maxContextLength = 0
    func loglikelihood(_ requests: [LoglikelihoodRequest]) async throws -> [LoglikelihoodResponse] { throw RunnerError.invalid("no model") }
    func loglikelihoodRolling(_ requests: [RollingLoglikelihoodRequest]) async throws -> [RollingLoglikelihoodResponse] { throw RunnerError.invalid("no model") }
    func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] { throw RunnerError.invalid("no model") }
}
