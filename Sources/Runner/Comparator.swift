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
                guard let gate = try gates.gate(task: task.name, metric: m.metric, polarity: m.polarity) else { continue }
                let interval = m.interval95.map { ConfidenceInterval(lower: $0[0], upper: $0[1], level: 0.95) }
                gateResults.append(gate.evaluate(difference: m.difference, interval: interval, pValue: m.adjustedPValue, baseMean: m.base))
            }
        }

        func score(_ t: TaskComparison) -> TaskScore? {
            guard let m = t.metrics.first else { return nil }
            return TaskScore(task: t.name, before: m.base, after: m.candidate, direction: m.polarity == .higherIsBetter ? .higherIsBetter : .lowerIsBetter)
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
        func column(_ key: String, _ side: KeyPath<(SampleRecord, SampleRecord), SampleRecord>) throws -> [Double] {
            try pairs.map { p in
                guard let v = p[keyPath: side].values[key] else {
                    throw RunnerError.invalid("task '\(task)' item \(p.0.id) has no value '\(key)'")
                }
                return v
            }
        }
        let configuration = BootstrapConfiguration(resamples: resamples, seed: seed)
        let base: Double, candidate: Double, interval: ConfidenceInterval?, pValue: Double, test: String
        var mcnemar: (b: Int, c: Int)?
        var flips: [ItemFlip]?
        switch metric.aggregation {
        case .mean:
            let b = try column(metric.name, \.0), c = try column(metric.name, \.1)
            let binary = (b + c).allSatisfy { $0 == 0 || $0 == 1 }
            let comparison = binary
                ? try PairedComparison.binary(base: b.map { $0 == 1 }, candidate: c.map { $0 == 1 })
                : try PairedComparison.continuous(base: b, candidate: c, configuration: configuration)
            (base, candidate, interval, pValue) = (comparison.baseMean, comparison.candidateMean, comparison.interval, comparison.pValue)
            test = binary ? "exact_mcnemar" : "paired_bootstrap"
            if binary {
                mcnemar = (comparison.baseOnlyCorrect ?? 0, comparison.candidateOnlyCorrect ?? 0)
                flips = pairs.compactMap { ItemFlip.between(base: $0.0, candidate: $0.1, metric: metric.name) }
            }
        case .perplexity, .bitsPerByte:
            let unitsKey = metric.aggregation == .bitsPerByte ? "bytes" : "tokens"
            let lb = try column("loglikelihood", \.0), lc = try column("loglikelihood", \.1)
            let units = try column(metric.aggregation == .bitsPerByte ? "bytes" : (metric.unitsKey ?? unitsKey), \.0).map { Int($0) }
            func aggregate(_ ll: [Double], _ indices: [Int]) throws -> Double {
                let l = indices.map { ll[$0] }, u = indices.map { units[$0] }
                return metric.aggregation == .bitsPerByte
                    ? try LikelihoodAggregation.bitsPerByte(logLikelihoods: l, byteCounts: u)
                    : try LikelihoodAggregation.weightedPerplexity(logLikelihoods: l, units: u)
            }
            let all = Array(pairs.indices)
            base = try aggregate(lb, all)
            candidate = try aggregate(lc, all)
            let replicates = try Bootstrap.replicates(itemCount: pairs.count, configuration: configuration) { try aggregate(lc, $0) - aggregate(lb, $0) }
            interval = Bootstrap.percentileInterval(replicates: replicates, level: 0.95)
            let below = replicates.filter { $0 <= 0 }.count, above = replicates.filter { $0 >= 0 }.count
            pValue = min(1, 2 * Double(min(below, above) + 1) / Double(replicates.count + 1))
            test = "paired_bootstrap"
        }
        let difference = candidate - base
        let unitScale = metric.aggregation == .mean && [base, candidate].allSatisfy { (0 ... 1).contains($0) }
        return MetricComparison(metric: metric.name, polarity: metric.polarity, base: base, candidate: candidate, difference: difference,
                                differencePoints: unitScale ? difference * 100 : nil,
                                relativeChangePercent: base != 0 ? difference / base * 100 : nil,
                                interval95: interval.map { [$0.lower, $0.upper] }, pValue: pValue, adjustedPValue: pValue, test: test,
                                baseOnlyCorrect: mcnemar?.b, candidateOnlyCorrect: mcnemar?.c, flips: flips)
    }
}
