import Foundation
import Harness
import Metrics

/// Pairs two evaluation runs item by item and decides, with paired tests and gates, whether the
/// candidate regressed.
public struct Comparator: Sendable {
    public var targetTasks: Set<String>
    public var gates: GateConfiguration
    /// Seed and resamples of paired bootstraps.
    public var seed: UInt64 = 1234
    public var resamples = 2000

    public init(targetTasks: Set<String>, gates: GateConfiguration) {
        self.targetTasks = targetTasks
        self.gates = gates
    }

    /// Compares `candidate` with `base`. Throws when the runs do not belong together (task
    /// versions or hashes differ, no items pair) or a target task is missing.
    public func compare(base: RunDirectory.Loaded, candidate: RunDirectory.Loaded) throws -> ComparisonResults {
        for t in targetTasks where base.results.task(t) == nil {
            throw RunnerError.invalid("target task '\(t)' is not in the base run (\(base.results.tasks.map(\.name).joined(separator: ", ")))")
        }
        var taskComparisons: [TaskComparison] = []
        for b in base.results.tasks {
            guard let c = candidate.results.task(b.name) else {
                throw RunnerError.invalid("task '\(b.name)' is in the base run but not in the candidate run")
            }
            guard b.version == c.version else {
                throw RunnerError.invalid("task '\(b.name)' has version \(b.version) in the base run but \(c.version) in the candidate run: results are not comparable")
            }
            guard b.contentHash == c.contentHash else {
                throw RunnerError.invalid("task '\(b.name)' has a different content hash in the two runs (task file or data changed): results are not comparable")
            }
            taskComparisons.append(try compareTask(b, base: base.samples[b.name] ?? [], candidate: candidate.samples[b.name] ?? []))
        }
        for c in candidate.results.tasks where base.results.task(c.name) == nil {
            throw RunnerError.invalid("task '\(c.name)' is in the candidate run but not in the base run")
        }

        // Holm across the non-target tasks' metrics.
        let nonTargetIndices = taskComparisons.indices.flatMap { t in
            taskComparisons[t].role == .nonTarget ? taskComparisons[t].metrics.indices.map { (t, $0) } : []
        }
        let adjusted = HolmBonferroni.adjust(nonTargetIndices.map { taskComparisons[$0.0].metrics[$0.1].pValue })
        for (k, (t, m)) in nonTargetIndices.enumerated() { taskComparisons[t].metrics[m].adjustedPValue = adjusted[k] }

        var gateResults: [GateResult] = []
        for task in taskComparisons {
            for m in task.metrics {
                guard let gate = try gates.gate(task: task.name, metric: m.metric, direction: m.polarity) else { continue }
                let interval = m.interval95.map { ConfidenceInterval(lower: $0[0], upper: $0[1], level: 0.95) }
                gateResults.append(gate.evaluate(difference: m.difference, interval: interval, pValue: m.adjustedPValue, baseMean: m.base))
            }
        }

        func score(_ t: TaskComparison) -> TaskScore? {
            guard let m = t.metrics.first else { return nil }
            return TaskScore(task: t.name, before: m.base, after: m.candidate, direction: m.polarity)
        }
        let deltas = ForgettingDeltas(target: taskComparisons.filter { $0.role == .target }.compactMap(score),
                                      nonTarget: taskComparisons.filter { $0.role == .nonTarget }.compactMap(score))
        return ComparisonResults(base: base.results.model, candidate: candidate.results.model, targetTasks: targetTasks.sorted(),
                                 tasks: taskComparisons, deltas: deltas, gates: gateResults)
    }

    func compareTask(_ result: TaskResult, base: [SampleRecord], candidate: [SampleRecord]) throws -> TaskComparison {
        let candidateByID = Dictionary(candidate.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var pairs: [(SampleRecord, SampleRecord)] = []
        for b in base {
            guard let c = candidateByID[b.id] else { continue }
            guard b.promptSHA256 == c.promptSHA256 else {
                throw RunnerError.invalid("task '\(result.name)' item \(b.id) has different prompts in the two runs: results are not comparable")
            }
            pairs.append((b, c))
        }
        guard !pairs.isEmpty else {
            throw RunnerError.invalid("task '\(result.name)': no items pair between the runs (ids differ; were they run with different --limit or --shard?)")
        }
        let role: TaskRole = targetTasks.contains(result.name) ? .target : .nonTarget
        var metrics: [MetricComparison] = []
        for metric in result.metrics {
            metrics.append(try compareMetric(metric, task: result.name, pairs: pairs))
        }
        return TaskComparison(name: result.name, role: role, pairedItems: pairs.count, metrics: metrics,
                              version: result.version, contentHash: result.contentHash)
    }

    func compareMetric(_ metric: MetricResult, task: String, pairs: [(SampleRecord, SampleRecord)]) throws -> MetricComparison {
        func value(_ side: KeyPath<(SampleRecord, SampleRecord), SampleRecord>) -> (Int, String) throws -> Double {
            { i, key in
                guard let v = pairs[i][keyPath: side].values[key] else {
                    throw RunnerError.invalid("task '\(task)' item \(pairs[i].0.id) has no value '\(key)'")
                }
                return v
            }
        }
        let c = try metric.spec.comparePaired(itemCount: pairs.count, bootstrap: BootstrapConfiguration(resamples: resamples, seed: seed),
                                              base: value(\.0), candidate: value(\.1))
        let flips = c.test == .exactMcNemar ? pairs.compactMap { ItemFlip.between(base: $0.0, candidate: $0.1, metric: metric.name) } : nil
        return MetricComparison(metric: metric.name, polarity: metric.polarity, base: c.base, candidate: c.candidate, difference: c.difference,
                                differencePoints: c.differencePoints, relativeChangePercent: c.relativeChangePercent,
                                interval95: c.interval.map { [$0.lower, $0.upper] }, pValue: c.pValue, adjustedPValue: c.pValue,
                                test: c.test.rawValue, baseOnlyCorrect: c.baseOnlyCorrect, candidateOnlyCorrect: c.candidateOnlyCorrect, flips: flips)
    }
}
