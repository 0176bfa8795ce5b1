import Foundation

/// Where each stage of an experiment run keeps its output inside the run directory. Each stage
/// writes its completion file last and atomically, so its presence means the stage is done:
///
///     experiment.json                 the spec this directory belongs to
///     cache.sqlite                    model outputs by fingerprint + request (unless --cache)
///     base/results.json …             the base model's evaluation
///     data/train.jsonl                the training set; data/forgetbench-scores-*.json its base-model scores
///     data/self-output.json(l)        a data regime's set and what it kept
///     candidates/REGIME/seed-N/       train.jsonl (+ manifest), model/ (training.json last), eval/, comparison.json
///     results.json report.md junit.xml tradeoff.svg masking.svg perplexity.svg
public struct ExperimentLayout: Sendable {
    public var root: URL

    public init(root: URL) { self.root = root }

    public var specRecord: URL { root.appendingPathComponent("experiment.json") }
    public var defaultCache: URL { root.appendingPathComponent("cache.sqlite") }
    public var base: URL { root.appendingPathComponent("base") }
    public var data: URL { root.appendingPathComponent("data") }
    public var trainingSet: URL { data.appendingPathComponent("train.jsonl") }
    public func dataRegimeSet(_ regime: String) -> URL { data.appendingPathComponent("\(regime).jsonl") }
    public func dataRegimeSummary(_ regime: String) -> URL { data.appendingPathComponent("\(regime).json") }
    public func candidate(_ regime: String, seed: UInt64) -> URL {
        root.appendingPathComponent("candidates/\(Self.slug(regime))/seed-\(seed)")
    }
    public func maskedSet(_ regime: String, seed: UInt64) -> URL { candidate(regime, seed: seed).appendingPathComponent("train.jsonl") }
    public func model(_ regime: String, seed: UInt64) -> URL { candidate(regime, seed: seed).appendingPathComponent("model") }
    public func evaluation(_ regime: String, seed: UInt64) -> URL { candidate(regime, seed: seed).appendingPathComponent("eval") }
    public func comparison(_ regime: String, seed: UInt64) -> URL { candidate(regime, seed: seed).appendingPathComponent("comparison.json") }
    public var results: URL { root.appendingPathComponent("results.json") }
    public var report: URL { root.appendingPathComponent("report.md") }
    public var junit: URL { root.appendingPathComponent("junit.xml") }
    public var tradeoffChart: URL { root.appendingPathComponent("tradeoff.svg") }
    /// TI and BWT against the share of masked tokens, per regime (`masking.svg`).
    public var maskingChart: URL { root.appendingPathComponent("masking.svg") }
    public var perplexityChart: URL { root.appendingPathComponent("perplexity.svg") }

    /// A regime's folder name: `stm:2.5` → `stm-2.5`.
    public static func slug(_ regime: String) -> String {
        String(regime.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "-" })
    }
}
