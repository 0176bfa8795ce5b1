import Foundation
import Harness
import XCTest
@testable import NativeModel

/// The engine against llama2.c's `run.c` and an independent float64 implementation on stories260K
/// (`../shared/goldens/stories260K.md`).
final class Stories260KTests: XCTestCase {
    func loadModel() throws -> NativeLanguageModel {
        let paths = try TestPaths.stories260K()
        return try NativeLanguageModel.load(modelPath: paths.model, tokenizerPath: paths.tokenizer)
    }

    static let greedySequence = [1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401,
                                 396, 267, 337, 410, 408, 419, 292]

    func testHeaderIsReadAsThePublishedConfig() throws {
        let c = try loadModel().config
        XCTAssertEqual([c.hiddenSize, c.intermediateSize, c.layerCount, c.headCount, c.kvHeadCount, c.vocabSize, c.maxPositions],
                       [64, 172, 5, 8, 4, 512, 512])
        XCTAssertTrue(c.tieWordEmbeddings)
    }

    func testLogitOfGreedyTokenAtPosition4() throws {
        let model = try loadModel()
        let cache = KVCache(config: model.config, capacities: [5])
        let logits = model.transformer.forward([[1, 403, 407, 261, 378]], cache: cache, slots: [0], logits: .all)
        XCTAssertEqual(logits.pointer[4 * 512 + 432], 17.799398, accuracy: 1e-4)
        XCTAssertEqual(Sampler.argmax(logits.pointer + 4 * 512, count: 512), 432)
    }

    func testGreedyNextTokensAfterPrompt() throws {
        let model = try loadModel()
        let prompt = model.encode("Once upon a time")
        XCTAssertEqual(prompt, [1, 403, 407, 261, 378])
        let result = try model.generate(prompt: prompt, maxNewTokens: 20, temperature: 0, topP: 0.9, seed: 1)
        XCTAssertEqual(result.tokens, Array(Self.greedySequence.dropFirst(5)))
        // Teacher forcing agrees with generation: every token of the sequence is the greedy one.
        let scores = try model.scores([Self.greedySequence])[0]
        XCTAssertTrue(scores.isGreedy.suffix(20).allSatisfy { $0 })
    }

    func testLossesMatchGoldens() throws {
        let model = try loadModel()
        let s = try model.scores([Self.greedySequence])[0].logProbs
        XCTAssertEqual(s.count, 24)
        XCTAssertEqual(-s.reduce(0, +) / 24, 0.139491, accuracy: 1e-5)
        XCTAssertEqual(-s.prefix(4).reduce(0, +) / 4, 0.068523, accuracy: 1e-5)

        let greedy = try model.generate(prompt: [1], maxNewTokens: 200, temperature: 0, topP: 0.9, seed: 1).tokens
        XCTAssertEqual(greedy.count, 200)
        let long = try model.scores([[1] + greedy])[0].logProbs
        XCTAssertEqual(-long.reduce(0, +) / 200, 0.473418, accuracy: 1e-5)
        // Loss mask keeping only the targets at positions 101...200.
        XCTAssertEqual(-long.suffix(100).reduce(0, +) / 100, 0.493644, accuracy: 1e-5)
    }

    func testGreedyTextEqualsRunC() throws {
        let model = try loadModel()
        let golden = try String(contentsOf: TestPaths.shared().appendingPathComponent("goldens/stories260K_greedy_n200.txt"), encoding: .utf8)
        let result = try model.generate(prompt: model.encode(""), maxNewTokens: 200, temperature: 0, topP: 0.9, seed: 1)
        XCTAssertEqual(result.text, golden)
    }

    /// Seeded sampling equals `run.c`'s for the same seed, temperature and top-p
    /// (`Tests/Fixtures/stories260K/runc_samples.json`, made by `scripts/reference/runc_samples.sh`).
    func testSeededSamplingEqualsRunC() throws {
        let model = try loadModel()
        let fixture = try TestPaths.json(TestPaths.fixtures.appendingPathComponent("stories260K/runc_samples.json"))
        let samples = try XCTUnwrap(fixture["samples"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(samples.count, 5)
        for sample in samples {
            let prompt = sample["prompt"] as? String ?? ""
            let temperature = try XCTUnwrap(sample["temperature"] as? Double)
            let topP = try XCTUnwrap(sample["topp"] as? Double)
            let seed = (sample["seed"] as? NSNumber)?.uint64Value ?? 1
            var steps = try XCTUnwrap(sample["steps"] as? Int)
            if steps <= 0 || steps > 512 { steps = 512 }
            let expected = try XCTUnwrap(sample["stdout"] as? String)
            let tokens = model.encode(prompt)
            // run.c's -n counts positions, the prompt's included (BOS excluded).
            let result = try model.generate(prompt: tokens, maxNewTokens: steps - (tokens.count - 1),
                                            temperature: Float(temperature), topP: Float(topP), seed: seed)
            XCTAssertEqual(prompt + result.text + "\n", expected, "seed \(seed) t \(temperature) p \(topP) prompt '\(prompt)'")
            if let ids = sample["token_ids"] as? [Int] {
                let generated = Array(ids.dropFirst(tokens.count - 1))
                XCTAssertEqual(result.tokens, generated.filter { $0 != 1 })
            }
        }
    }

    func testBatchingDoesNotChangeScores() throws {
        let model = try loadModel()
        let a = Self.greedySequence, b = Array(Self.greedySequence.prefix(9)), c = [1, 291, 276, 286, 261, 370]
        let alone = try [a, b, c].map { try model.scores([$0])[0] }
        model.tokenBudget = 64
        let together = try model.scores([a, b, c])
        for (x, y) in zip(alone, together) {
            XCTAssertEqual(x.isGreedy, y.isGreedy)
            XCTAssertEqual(x.logProbs, y.logProbs, "batch-invariant: bit-identical")
        }
    }

    func testKVCacheStepsEqualOneFullPass() throws {
        let model = try loadModel()
        let tokens = Self.greedySequence
        let full = model.transformer.forward([tokens], cache: KVCache(config: model.config, capacities: [tokens.count]), slots: [0], logits: .all)
        let cache = KVCache(config: model.config, capacities: [tokens.count])
        _ = model.transformer.forward([Array(tokens.prefix(10))], cache: cache, slots: [0], logits: .last)
        for (i, t) in tokens.dropFirst(10).enumerated() {
            let step = model.transformer.forward([[t]], cache: cache, slots: [0], logits: .last)
            for v in 0 ..< 512 {
                XCTAssertEqual(step.pointer[v], full.pointer[(10 + i) * 512 + v], accuracy: 1e-4)
            }
        }
    }

    func testRollingLoglikelihoodEqualsOneWindowWhenItFits() async throws {
        let model = try loadModel()
        let text = "Once upon a time, there was a little girl named Lily."
        let rolling = try await model.loglikelihoodRolling([.init(text: text)])[0]
        let direct = try model.scores([model.encode(text)])[0].logProbs
        XCTAssertEqual(rolling.tokenCount, direct.count)
        XCTAssertEqual(rolling.logLikelihood, direct.reduce(0, +), accuracy: 1e-6)
    }

    func testRollingWindowsCoverEveryTokenOnceWithinContext() throws {
        let model = try loadModel()
        let tokens = Array(repeating: 300, count: 1300)
        let windows = model.rollingWindows(tokens)
        XCTAssertEqual(windows.map(\.predicted).reduce(0, +), 1299)
        XCTAssertTrue(windows.allSatisfy { $0.input.count <= 513 && $0.predicted <= $0.input.count - 1 })
        XCTAssertEqual(windows.count, 3)
        XCTAssertEqual(windows.last?.input.count, 513, "later windows keep a full context")
    }

    func testLoglikelihoodOfContinuation() async throws {
        let model = try loadModel()
        let responses = try await model.loglikelihood([
            .init(context: "Once upon a time", continuation: ", there was a little girl"),
            .init(context: "Once upon a time", continuation: " purple elephant computer"),
        ])
        XCTAssertTrue(responses[0].isGreedy)
        XCTAssertFalse(responses[1].isGreedy)
        XCTAssertGreaterThan(responses[0].logLikelihood, responses[1].logLikelihood)
        // It equals the sum of the continuation's token log-probs in one teacher-forced pass.
        let whole = model.encode("Once upon a time, there was a little girl")
        let scores = try model.scores([whole])[0].logProbs
        XCTAssertEqual(responses[0].logLikelihood, scores.suffix(responses[0].tokenCount).reduce(0, +), accuracy: 1e-5)
    }

    func testSharedContextScoringEqualsScoringEachChoiceAlone() throws {
        let model = try loadModel()
        let requests: [Harness.LoglikelihoodRequest] = [
            .init(context: "Once upon a time, there was a", continuation: " little girl"),
            .init(context: "Once upon a time, there was a", continuation: " big dog"),
            .init(context: "Once upon a time, there was a", continuation: "n owl"),
            .init(context: "Once upon a time, there was a", continuation: " cat named Tom who liked to play"),
            .init(context: "The dog ", continuation: "ran"),
            .init(context: "The dog ", continuation: "barked at the ball"),
            .init(context: "Lily", continuation: " smiled"),
        ]
        let shared = try model.loglikelihoodSync(requests)
        model.sharesContext = false
        let alone = try model.loglikelihoodSync(requests)
        for (a, b) in zip(shared, alone) {
            XCTAssertEqual(a.tokenCount, b.tokenCount)
            XCTAssertEqual(a.isGreedy, b.isGreedy)
            XCTAssertEqual(a.logLikelihood, b.logLikelihood, accuracy: 1e-4)
        }
    }
}
