import Foundation
import Harness
@testable import Runner
import XCTest

/// A task whose items ask for a number; an answer is correct when its last word is the number.
struct NumberTask: TrainableTask {
    var name = "numbers"
    var version = "1"
    var description = "numbers"
    var outputType = OutputType.generateUntil
    var metrics = [MetricSpec(name: "exact_match", direction: .higherIsBetter)]
    var generation: GenerationSettings? = GenerationSettings(stopSequences: ["\n"], maxTokens: 8)
    var contentHash = "numbers-1"
    var correctnessMetric: String { "exact_match" }

    func instances(limit: Int?, seed: UInt64) throws -> [TaskInstance] { [] }
    func trainingInstances(limit: Int?) throws -> [TaskInstance] {
        (0 ..< (limit ?? 4)).map { TaskInstance(id: "t\($0)", prompt: "Q: \($0)?\nA:", target: "\($0)") }
    }
    func groundTruthResponse(for instance: TaskInstance) -> String { " it is surely \(instance.target)" }
    func score(_ instance: TaskInstance, response: ModelResponse) -> ItemScore {
        guard case let .generation(g) = response else { return ItemScore(values: ["exact_match": 0]) }
        return ItemScore(values: ["exact_match": g.text.split(separator: " ").last.map(String.init) == instance.target ? 1 : 0])
    }
}

/// Answers by the request: item 0 always wrong; others right for odd seeds, with a phrasing
/// whose likelihood depends on the seed; records the contexts it saw.
final class ScriptedModel: LanguageModel, @unchecked Sendable {
    let fingerprint = ModelFingerprint(sha256: String(repeating: "c", count: 64), files: [])
    let maxContextLength = 64
    var contexts: [String] = []

    func loglikelihood(_ requests: [LoglikelihoodRequest]) async throws -> [LoglikelihoodResponse] {
        // Longer answers are less likely per token: "x N" beats "so it is N".
        requests.map { LoglikelihoodResponse(logLikelihood: -Double($0.continuation.count * $0.continuation.count), isGreedy: false, tokenCount: $0.continuation.count) }
    }
    func loglikelihoodRolling(_ requests: [RollingLoglikelihoodRequest]) async throws -> [RollingLoglikelihoodResponse] { [] }
    func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
        contexts += requests.map(\.context)
        return requests.map { r in
            let item = r.context.components(separatedBy: "Q: ").last!.prefix { $0.isNumber }
            if item == "0" { return GenerationResponse(text: " 42", tokenCount: 2, finishReason: .stop) }
            let text = r.seed % 4 == 1 ? " x \(item)" : r.seed % 4 == 3 ? " so it is \(item)" : " wrong"
            return GenerationResponse(text: text, tokenCount: text.count, finishReason: .stop)
        }
    }
}

final class DataRegimeBuilderTests: XCTestCase {
    func sampling(_ n: Int) -> ExperimentSpec.Sampling {
        .init(samples: n, temperature: 0.8, topP: 1, maxTokens: nil, rephraseTemplate: "Rewrite: {reference}\n{prompt}")
    }

    func testSelfOutputKeepsTheMostLikelyCorrectAnswerAndDropsItemsWithNone() async throws {
        let task = NumberTask()
        let model = ScriptedModel()
        let instances = try task.trainingInstances(limit: 6)
        let builder = DataRegimeBuilder(model: model, task: task, sampling: sampling(8), seed: 7)
        let (examples, summary) = try await builder.build(regime: "self-output", instances: instances)
        XCTAssertEqual(summary.items, 6)
        XCTAssertEqual(summary.samplesPerItem, 8)
        XCTAssertFalse(examples.contains { $0.id == "t0" }, "item 0 is never answered correctly")
        XCTAssertEqual(summary.kept, examples.count)
        XCTAssertEqual(summary.dropped, 6 - examples.count)
        for e in examples {
            let n = e.id.dropFirst()
            XCTAssertTrue(e.response == " x \(n)" || e.response == " so it is \(n)", e.response)
            XCTAssertEqual(e.prompt, "Q: \(n)?\nA:")
        }
        // Where both phrasings were drawn, the shorter (more likely per token) one wins.
        XCTAssertTrue(examples.contains { $0.response.hasPrefix(" x ") })
        // Seeded: the same call gives the same set.
        let (again, _) = try await builder.build(regime: "self-output", instances: instances)
        XCTAssertEqual(again.map(\.response), examples.map(\.response))
        XCTAssertEqual(model.contexts.count, 2 * 6 * 8)
    }

    func testRephraseShowsTheReferenceButTrainsOnTheOriginalPrompt() async throws {
        let task = NumberTask()
        let model = ScriptedModel()
        let builder = DataRegimeBuilder(model: model, task: task, sampling: sampling(4), seed: 3)
        let (examples, summary) = try await builder.build(regime: "rephrase", instances: try task.trainingInstances(limit: 3))
        XCTAssertEqual(summary.regime, "rephrase")
        XCTAssertTrue(model.contexts.allSatisfy { $0.hasPrefix("Rewrite: it is surely ") }, "\(model.contexts)")
        XCTAssertTrue(examples.allSatisfy { $0.prompt.hasPrefix("Q: ") })
    }
}

/// With a chat template, the base is asked as it will be trained: each prompt a user turn of the
/// template with the generation prompt; the kept examples hold the plain prompt, which `mask`
/// formats through the same template.
final class DataRegimeChatTemplateTests: XCTestCase {
    func testPromptsAreShownThroughTheFormatterButKeptPlain() async throws {
        let task = NumberTask()
        let model = ScriptedModel()
        var builder = DataRegimeBuilder(model: model, task: task, sampling: .init(samples: 2, temperature: 0.8, topP: 1, maxTokens: nil,
                                                                                   rephraseTemplate: "{prompt}"), seed: 7)
        builder.formatPrompt = { "<|user|>" + $0 + "<|assistant|>" }
        let instances = try task.trainingInstances(limit: 3)
        let (examples, _) = try await builder.build(regime: "self-output", instances: instances)
        XCTAssertEqual(Set(model.contexts), Set(instances.map { "<|user|>" + $0.prompt + "<|assistant|>" }))
        XCTAssertFalse(examples.isEmpty)
        for example in examples { XCTAssertFalse(example.prompt.contains("<|user|>"), example.prompt) }
    }
}
