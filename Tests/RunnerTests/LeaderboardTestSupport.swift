import Foundation
import Harness
import Metrics
@testable import Runner

/// Evaluation outputs written to disk from given per-item outcomes, for comparison and
/// leaderboard tests (no model involved).
enum ConstructedRuns {
    /// One generate-until task of a constructed run: item `i` is right when `correct[i]`, and the
    /// model answered `answers[i]`.
    struct TaskSpec {
        var name: String
        var version = "1"
        var contentHash: String
        var correct: [Bool]
        var answers: [String]
        var prompts: [String]
        var targets: [String]

        init(name: String, contentHash: String = "hash-1", correct: [Bool], answers: [String]? = nil, prompts: [String]? = nil, targets: [String]? = nil) {
            self.name = name
            self.contentHash = contentHash
            self.correct = correct
            self.answers = answers ?? correct.map { $0 ? "right" : "wrong" }
            self.prompts = prompts ?? correct.indices.map { "Q: item \($0)?\nA:" }
            self.targets = targets ?? correct.map { _ in "right" }
        }
    }

    static func fingerprint(_ letter: Character) -> ModelFingerprint {
        ModelFingerprint(sha256: String(repeating: letter, count: 64), files: ["model.safetensors"])
    }

    /// Writes an `eval` output for `model` (a fingerprint letter) into `directory`.
    @discardableResult
    static func write(model: Character, source: String, tasks: [TaskSpec], to directory: URL, limit: Int? = nil) throws -> RunDirectory.Loaded {
        var results: [TaskResult] = []
        var samples: [String: [SampleRecord]] = [:]
        for t in tasks {
            var records: [SampleRecord] = []
            for i in t.correct.indices {
                records.append(SampleRecord(id: "\(i)", promptSHA256: ContentHash.sha256(t.prompts[i]), target: t.targets[i],
                                            response: .generation(GenerationResponse(text: " " + t.answers[i], tokenCount: 3, finishReason: .stop)),
                                            extractedAnswer: t.answers[i], values: ["exact_match": t.correct[i] ? 1 : 0], prompt: t.prompts[i]))
            }
            let summary = try MeanSummary(values: t.correct.map { $0 ? 1.0 : 0.0 })
            results.append(TaskResult(name: t.name, version: t.version, contentHash: t.contentHash, outputType: .generateUntil, itemCount: records.count,
                                      metrics: [MetricResult(name: "exact_match", polarity: .higherIsBetter, aggregation: .mean, value: summary.mean,
                                                             standardError: summary.standardError, interval95: summary.interval.map { [$0.lower, $0.upper] })]))
            samples[t.name] = records
        }
        let evaluation = EvaluationResults(model: ModelRecord(source: source, engine: "native", fingerprint: fingerprint(model)),
                                           settings: EvaluationSettings(tasks: tasks.map(\.name), limit: limit, seed: 1234),
                                           tasks: results.sorted { $0.name < $1.name }, timings: Timings(totalSeconds: 1, taskSeconds: [:]))
        try RunDirectory.write(results: evaluation, samples: samples, report: EvaluationReport.markdown(evaluation),
                               junit: try EvaluationReport.junit(evaluation), to: directory)
        return try RunDirectory.load(directory)
    }

    /// `n` outcomes from a seeded generator, right with probability `p`.
    static func outcomes(_ n: Int, p: Double, seed: UInt64) -> [Bool] {
        var g = SplitMix64(seed: seed)
        return (0 ..< n).map { _ in Double(g.next() >> 11) / Double(1 << 53) < p }
    }
}
