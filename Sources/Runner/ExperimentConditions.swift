import Foundation

/// How close an experiment's world is to the paper's setting (Wu et al.): measured statistics of the
/// training data, the base model and the ground-truth candidate, each against the range the issue of
/// the toy world asks for. `report.md` prints them as a table ("Conditions").
public struct ExperimentConditions: Codable, Equatable, Sendable {
    /// Mean over the training examples of the base model's sequence perplexity of the ground-truth
    /// response (exp of the mean NLL of its tokens).
    public var groundTruthSequencePerplexity: Double
    /// The same over the self-output set (nil without that regime).
    public var selfOutputSequencePerplexity: Double?

    /// Mean over sequences of exp(mean of −logp): `logProbs[e]` are one example's response-token log-probs.
    public static func meanSequencePerplexity(_ logProbs: [[Double]]) -> Double {
        let perSequence = logProbs.filter { !$0.isEmpty }.map { exp(-$0.reduce(0, +) / Double($0.count)) }
        return perSequence.isEmpty ? .nan : perSequence.reduce(0, +) / Double(perSequence.count)
    }

    /// One row of the conditions table.
    public struct Check: Equatable, Sendable {
        public var statistic: String
        public var measured: String
        public var wanted: String
        /// nil: not measurable in this run (e.g. no self-output regime).
        public var holds: Bool?
    }

    /// The checks for `r` (whose `conditions` must be set for the sequence-perplexity row).
    public static func checks(_ r: ExperimentResults) -> [Check] {
        func pct(_ v: Double) -> String { String(format: "%.1f%%", v * 100) }
        func num(_ v: Double) -> String { v >= 1000 ? String(format: "%.3g", v) : String(format: "%.2f", v) }
        var rows: [Check] = []
        let median = r.trainingData.medianPerplexity
        rows.append(Check(statistic: "ground-truth response tokens: median per-token perplexity under the base",
                          measured: num(median), wanted: "1.2 to 4 (instruct models on human labels: about 1.5)",
                          holds: (1.2 ... 4).contains(median)))
        rows.append(Check(statistic: "share of ground-truth response tokens above TAU = \(num(r.tau))",
                          measured: pct(r.trainingData.fractionAboveTau), wanted: "15% to 35% (the paper: 20-25% at TAU 2.5)",
                          holds: (0.15 ... 0.35).contains(r.trainingData.fractionAboveTau)))
        if let c = r.conditions {
            let so = c.selfOutputSequencePerplexity
            rows.append(Check(statistic: "mean sequence perplexity: self-output against ground truth",
                              measured: "\(so.map(num) ?? "no self-output") vs \(num(c.groundTruthSequencePerplexity))",
                              wanted: "self-output lower (the paper, MBPP: 1.16 vs 4.83)",
                              holds: so.map { $0 < c.groundTruthSequencePerplexity }))
        }
        for target in r.targetTasks {
            guard let base = r.baseScores.first(where: { $0.task == target }) else { continue }
            var measured = num(base.value)
            var holds = (0.3 ... 0.7).contains(base.value)
            if let so = r.dataRegimes.first(where: { $0.regime == "self-output" }), so.items > 0 {
                let covered = Double(so.kept) / Double(so.items)
                measured += "; sampled answers right on \(pct(covered)) of training items (\(so.samplesPerItem) tries)"
                holds = holds && covered > base.value
            }
            rows.append(Check(statistic: "base score on the target \(target), and whether its samples find answers its greedy answer misses",
                              measured: measured, wanted: "0.3 to 0.7, unsure (sampling right on more items than greedy)", holds: holds))
        }
        if let gt = r.regimes.first(where: { $0.regime == "ground-truth" || $0.regime == "gt" }), let bwt = gt.backwardTransfer {
            let significant = gt.tasks.filter { $0.role == .nonTarget && $0.changePoints.mean < 0 && $0.maxPValue < 0.05 }
            rows.append(Check(statistic: "ground-truth fine-tuning: BWT, and non-target tasks that dropped significantly in every seed",
                              measured: String(format: "%+.1f%%; ", bwt.mean) + "\(significant.count) ("
                                  + (significant.isEmpty ? "none" : significant.map(\.task).joined(separator: ", ")) + ")",
                              wanted: "BWT ≤ −10%, at least 2 tasks (Holm-adjusted p < 0.05)",
                              holds: bwt.mean <= -10 && significant.count >= 2))
        }
        return rows
    }
}
