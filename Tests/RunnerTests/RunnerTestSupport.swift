import Foundation
import Harness
@testable import Runner

/// A multiple-choice task over fixed items, for runner tests.
struct FixedChoiceTask: EvaluationTask {
    var name = "fixed_mc"
    var version = "1"
    var description = "fixed items"
    var outputType = OutputType.multipleChoice
    var metrics = [MetricSpec(name: "acc", direction: .higherIsBetter)]
    var generation: GenerationSettings? = nil
    var contentHash = "hash-1"
    var items: [TaskInstance]

    func instances(limit: Int?, seed: UInt64) throws -> [TaskInstance] { limit.map { Array(items.prefix($0)) } ?? items }

    func score(_ instance: TaskInstance, response: ModelResponse) -> ItemScore {
        guard case let .choices(answers) = response else { return ItemScore(values: ["acc": 0]) }
        let best = answers.indices.max { answers[$0].logLikelihood < answers[$1].logLikelihood }
        return ItemScore(values: ["acc": best == instance.goldIndex ? 1 : 0])
    }
}

/// A model whose log-likelihood for a continuation is read from a table (missing: -10).
struct TableModel: LanguageModel {
    var fingerprint = ModelFingerprint(sha256: String(repeating: "a", count: 64), files: ["table"])
    var maxContextLength = 512
    var table: [String: Double]

    func loglikelihood(_ requests: [LoglikelihoodRequest]) async throws -> [LoglikelihoodResponse] {
        requests.map { LoglikelihoodResponse(logLikelihood: table[$0.context + "|" + $0.continuation] ?? -10, isGreedy: false, tokenCount: 1) }
    }
    func loglikelihoodRolling(_ requests: [RollingLoglikelihoodRequest]) async throws -> [RollingLoglikelihoodResponse] {
        requests.map { RollingLoglikelihoodResponse(logLikelihood: -Double($0.text.utf8.count), tokenCount: $0.text.count) }
    }
    func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
        requests.map { _ in GenerationResponse(text: "", tokenCount: 0, finishReason: .length) }
    }
}

enum RunnerFixtures {
    /// `n` two-choice items; `correct(i)` says whether the table model gets item i right.
    static func run(n: Int, correct: (Int) -> Bool, task: FixedChoiceTask? = nil) async throws -> RunDirectory.Loaded {
        let items = (0 ..< n).map { TaskInstance(id: "item-\($0)", prompt: "Q\($0)", target: "A", choices: ["A", "B"], goldIndex: 0) }
        var table: [String: Double] = [:]
        for i in 0 ..< n { table["Q\(i)|A"] = correct(i) ? -1 : -3; table["Q\(i)|B"] = -2 }
        let t = task.map { var t = $0; t.items = items; return t } ?? FixedChoiceTask(items: items)
        let evaluator = Evaluator(model: TableModel(table: table), limit: nil, seed: 1)
        let (result, samples) = try await evaluator.evaluate(t)
        let record = ModelRecord(source: "table", engine: "test", fingerprint: TableModel(table: [:]).fingerprint)
        let results = EvaluationResults(model: record, settings: EvaluationSettings(tasks: [t.name], limit: nil, seed: 1), tasks: [result],
                                        timings: Timings(totalSeconds: 0, taskSeconds: [:]))
        return RunDirectory.Loaded(directory: URL(fileURLWithPath: "/tmp"), results: results, samples: [t.name: samples])
    }
}
