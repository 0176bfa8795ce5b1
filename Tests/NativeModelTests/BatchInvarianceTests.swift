import Foundation
import Harness
import XCTest
@testable import NativeModel

/// The engine's numbers for a sequence are bit-identical (`==`, no tolerance) whatever else is
/// computed with it, however many threads compute it, and whatever OpenBLAS kernel the processor
/// gets (the forward pass does not use OpenBLAS).
final class BatchInvarianceTests: XCTestCase {
    private func stories() throws -> NativeLanguageModel {
        let paths = try TestPaths.stories260K()
        return try NativeLanguageModel.load(modelPath: paths.model, tokenizerPath: paths.tokenizer)
    }

    /// A random model whose widths are not multiples of the kernels' blocks (8 lanes, 4 × 3 tiles),
    /// with grouped queries and biases, so that every remainder path of the kernels is used.
    private func oddModel() -> NativeLanguageModel {
        let config = TransformerConfig(hiddenSize: 44, intermediateSize: 70, layerCount: 2, headCount: 4, kvHeadCount: 2, vocabSize: 61,
                                       maxPositions: 96, tieWordEmbeddings: false, qkvBias: true, outputBias: true)
        return .tokenLevel(LlamaWeights.random(config: config, seed: 77, scale: 0.2))
    }

    private static func randomSequences(count: Int, vocab: Int, lengths: ClosedRange<Int>, seed: UInt64) -> [[Int]] {
        var rng = SplitMix64(seed: seed)
        return (0 ..< count).map { _ in
            let n = lengths.lowerBound + rng.below(lengths.count)
            return (0 ..< n).map { _ in 1 + rng.below(vocab - 1) }
        }
    }

    // MARK: - The kernel

    func testEveryRowOfAProductIsTheSameWhateverTheOtherRowsAndThreads() {
        var rng = SplitMix64(seed: 5)
        for (n, k) in [(37, 29), (96, 64), (130, 300)] {
            let m = 23
            let x = (0 ..< m * k).map { _ in rng.nextUniform() - 0.5 }
            let w = (0 ..< n * k).map { _ in rng.nextUniform() - 0.5 }
            func product(rows: Range<Int>, threads: Int) -> [Float] {
                let saved = EngineSettings.threadCount
                defer { EngineSettings.setThreadCount(saved) }
                EngineSettings.setThreadCount(threads)
                var y = [Float](repeating: .nan, count: rows.count * n)
                x.withUnsafeBufferPointer { x in
                    w.withUnsafeBufferPointer { w in
                        y.withUnsafeMutableBufferPointer { y in
                            InvariantGEMM.multiplyTransposed(m: rows.count, n: n, k: k, x.baseAddress! + rows.lowerBound * k, w.baseAddress!, y.baseAddress!)
                        }
                    }
                }
                return y
            }
            let all = product(rows: 0 ..< m, threads: 1)
            // Each element against a plain double-precision dot product: the kernel is accurate.
            for i in 0 ..< m {
                for j in 0 ..< n {
                    var exact = 0.0
                    for p in 0 ..< k { exact += Double(x[i * k + p]) * Double(w[j * k + p]) }
                    XCTAssertEqual(Double(all[i * n + j]), exact, accuracy: 1e-5)
                }
            }
            XCTAssertEqual(product(rows: 0 ..< m, threads: 2), all)
            XCTAssertEqual(product(rows: 0 ..< m, threads: 4), all)
            for start in [0, 1, 5, 22] {
                for count in [1, 2, 3, 4, 5, 9] where start + count <= m {
                    XCTAssertEqual(product(rows: start ..< start + count, threads: 2), Array(all[start * n ..< (start + count) * n]),
                                   "rows \(start)..<\(start + count) of \(n)x\(k)")
                }
            }
        }
    }

    func testTheAttentionsFastRoutesGiveTheSameBitsAsItsPlainOnes() {
        var rng = SplitMix64(seed: 9)
        for headDim in [1, 5, 8, 13, 32, 64, 67] {
            // Eight keys stored transposed (column stride 11) against `dot` of each key.
            let q = (0 ..< headDim).map { _ in rng.nextUniform() - 0.5 }
            let keys = (0 ..< 8 * headDim).map { _ in rng.nextUniform() - 0.5 }
            var transposed = [Float](repeating: 0, count: headDim * 11)
            for j in 0 ..< 8 { for p in 0 ..< headDim { transposed[p * 11 + j] = keys[j * headDim + p] } }
            let fast = CausalAttention.scores8(q, transposed, ldT: 11, count: headDim)
            for j in 0 ..< 8 {
                XCTAssertEqual(fast[j], InvariantGEMM.dot(q, Array(keys[j * headDim ..< (j + 1) * headDim]), count: headDim), "head dim \(headDim), key \(j)")
            }
            // Two rows of weights summed with the values together, against each row alone.
            for count in [1, 2, 9, 40] {
                let w0 = (0 ..< count).map { _ in rng.nextUniform() }, w1 = (0 ..< count + 1).map { _ in rng.nextUniform() }
                let values = (0 ..< (count + 1) * headDim).map { _ in rng.nextUniform() - 0.5 }
                var alone0 = [Float](repeating: .nan, count: headDim), alone1 = alone0, pair0 = alone0, pair1 = alone0
                CausalAttention.weightedSum(w0, count: count, values: values, stride: headDim, width: headDim, into: &alone0)
                CausalAttention.weightedSum(w1, count: count + 1, values: values, stride: headDim, width: headDim, into: &alone1)
                CausalAttention.weightedSums(w0, w1, count: count, values: values, stride: headDim, width: headDim, into: &pair0, &pair1)
                XCTAssertEqual(pair0, alone0, "head dim \(headDim), \(count) values")
                XCTAssertEqual(pair1, alone1, "head dim \(headDim), \(count + 1) values")
            }
        }
    }

    func testAttentionOverManyRowsEqualsEachRowAttendedAlone() {
        // Rows past several key blocks (`CausalAttention.keyBlock`), from a cached prefix, grouped heads.
        var rng = SplitMix64(seed: 12)
        let (heads, kvHeads, headDim, start, n) = (4, 2, 12, 37, 150)
        let (qDim, kvDim, length) = (heads * headDim, kvHeads * headDim, start + n)
        let q = (0 ..< n * qDim).map { _ in rng.nextUniform() - 0.5 }
        let keys = (0 ..< length * kvDim).map { _ in rng.nextUniform() - 0.5 }
        let values = (0 ..< length * kvDim).map { _ in rng.nextUniform() - 0.5 }
        var together = [Float](repeating: .nan, count: n * qDim), alone = together
        for head in 0 ..< heads {
            CausalAttention.forward(q: q, qStride: qDim, keys: keys, values: values, kvDim: kvDim, out: &together, n: n, start: start,
                                    heads: heads, kvHeads: kvHeads, headDim: headDim, head: head)
            alone.withUnsafeMutableBufferPointer { out in
                q.withUnsafeBufferPointer { q in
                    for r in 0 ..< n {
                        CausalAttention.forward(q: q.baseAddress! + r * qDim, qStride: qDim, keys: keys, values: values, kvDim: kvDim,
                                                out: out.baseAddress! + r * qDim, n: 1, start: start + r,
                                                heads: heads, kvHeads: kvHeads, headDim: headDim, head: head)
                    }
                }
            }
        }
        XCTAssertFalse(together.contains { $0.isNaN })
        XCTAssertEqual(together, alone)
    }

    // MARK: - Scoring

    private func assertBatchInvariant(_ model: NativeLanguageModel, _ target: [Int], others: [[Int]]) throws {
        let alone = try model.scores([target])[0]
        for size in 1 ... others.count {
            for position in 0 ... size {
                var batch = Array(others.prefix(size))
                batch.insert(target, at: position)
                let together = try model.scores(batch)[position]
                XCTAssertEqual(together, alone, "in a batch of \(size + 1) at position \(position)")
            }
        }
    }

    func testAScoredSequenceIsBitIdenticalAloneAndInEveryBatchPosition() throws {
        let model = try stories()
        let target = model.encode("Once upon a time, there was a little girl named Lily. She loved to play outside.")
        let others = Self.randomSequences(count: 16, vocab: 512, lengths: 2 ... 90, seed: 1)
        try assertBatchInvariant(model, target, others: others)
    }

    func testTheOddShapedModelIsBatchInvariantToo() throws {
        let model = oddModel()
        let target = Self.randomSequences(count: 1, vocab: 61, lengths: 41 ... 41, seed: 2)[0]
        try assertBatchInvariant(model, target, others: Self.randomSequences(count: 16, vocab: 61, lengths: 2 ... 80, seed: 3))
    }

    func testRightPaddingLeavesTheRealPositionsUnchanged() throws {
        let model = try stories()
        let target = model.encode("Lily and Ben went to the park.")
        let padded = target + Array(repeating: 0, count: 11)
        let a = try model.scores([target])[0]
        let b = try model.scores([padded, Self.randomSequences(count: 1, vocab: 512, lengths: 30 ... 30, seed: 4)[0]])[0]
        XCTAssertEqual(Array(b.logProbs.prefix(a.logProbs.count)), a.logProbs)
        XCTAssertEqual(Array(b.isGreedy.prefix(a.isGreedy.count)), a.isGreedy)
    }

    func testScoresDoNotDependOnTheThreadCountOrTheTokenBudget() throws {
        let model = try stories()
        let sequences = Self.randomSequences(count: 12, vocab: 512, lengths: 5 ... 200, seed: 6)
        let saved = EngineSettings.threadCount
        defer { EngineSettings.setThreadCount(saved) }
        EngineSettings.setThreadCount(1)
        let reference = try model.scores(sequences)
        for (threads, budget) in [(2, 4096), (4, 4096), (2, 64), (1, 300)] {
            EngineSettings.setThreadCount(threads)
            model.tokenBudget = budget
            XCTAssertEqual(try model.scores(sequences), reference, "\(threads) threads, token budget \(budget)")
        }
    }

    func testKVCacheContinuationGivesTheFullPassLogitsExactly() throws {
        for model in [try stories(), oddModel()] {
            let tokens = Self.randomSequences(count: 1, vocab: model.config.vocabSize, lengths: 40 ... 40, seed: 8)[0]
            let vocab = model.config.vocabSize
            let full = model.transformer.forward([tokens], cache: KVCache(config: model.config, capacities: [tokens.count]), slots: [0], logits: .all)
            let cache = KVCache(config: model.config, capacities: [tokens.count])
            _ = model.transformer.forward([Array(tokens.prefix(7))], cache: cache, slots: [0], logits: .last)
            let rest = model.transformer.forward([Array(tokens[7 ..< 20])], cache: cache, slots: [0], logits: .all)
            XCTAssertEqual(Array(UnsafeBufferPointer(start: rest.pointer, count: 13 * vocab)),
                           Array(UnsafeBufferPointer(start: full.pointer + 7 * vocab, count: 13 * vocab)))
            for (i, t) in tokens[20...].enumerated() {
                let step = model.transformer.forward([[t]], cache: cache, slots: [0], logits: .last)
                XCTAssertEqual(Array(UnsafeBufferPointer(start: step.pointer, count: vocab)),
                               Array(UnsafeBufferPointer(start: full.pointer + (20 + i) * vocab, count: vocab)), "position \(20 + i)")
            }
        }
    }

    func testSharedContextChoicesEqualEachChoiceScoredAloneExactly() throws {
        let model = try stories()
        let context = "Once upon a time, there was a"
        let requests: [Harness.LoglikelihoodRequest] = [" little girl", " big dog", "n owl", " cat named Tom who liked to play"]
            .map { .init(context: context, continuation: $0) } + [.init(context: "The dog ", continuation: "ran"), .init(context: "The dog ", continuation: "barked")]
        let shared = try model.loglikelihoodSync(requests)
        model.sharesContext = false
        let alone = try requests.map { try model.loglikelihoodSync([$0])[0] }
        for (a, b) in zip(shared, alone) {
            XCTAssertEqual(a.logLikelihood, b.logLikelihood)
            XCTAssertEqual(a.isGreedy, b.isGreedy)
            XCTAssertEqual(a.tokenCount, b.tokenCount)
        }
    }

    // MARK: - Generation

    private func jobs(_ model: NativeLanguageModel, temperature: Float) -> [GenerationJob] {
        let prompts = ["Once upon a time", "Lily and Ben", "The sun", "One day, a big", "Tom had a red ball.", "", "She was sad because",
                       "The cat and the dog", "Mom said", "In the park, there", "Sam", "The little bird wanted to fly",
                       "A girl named Sue", "It was a sunny day", "Max liked", "The end"]
        return prompts.enumerated().map { i, p in
            GenerationJob(prompt: model.encode(p), maxNewTokens: 20 + (i * 7) % 40, temperature: temperature, topP: i % 2 == 0 ? 0.9 : 1,
                          seed: UInt64(100 + i))
        }
    }

    func testSixteenGreedyGenerationsTogetherEqualEachAlone() throws {
        let model = try stories()
        let jobs = jobs(model, temperature: 0)
        let alone = try jobs.map { try model.generate([$0])[0] }
        XCTAssertEqual(try model.generate(jobs, maxConcurrent: 16), alone)
        // Slots freed mid-run are reused by waiting jobs (continuous batching), and a cache budget
        // that holds only a few sequences makes jobs wait, not fail.
        XCTAssertEqual(try model.generate(jobs, maxConcurrent: 5), alone)
        XCTAssertEqual(try model.generate(jobs, maxConcurrent: 16, cacheBudget: 120), alone)
        XCTAssertTrue(Set(alone.map(\.text)).count > 8, "the prompts lead to different stories")
    }

    func testSeededSamplesTogetherEqualEachAlone() throws {
        let model = try stories()
        let jobs = jobs(model, temperature: 0.9)
        let alone = try jobs.map { try model.generate([$0])[0] }
        XCTAssertEqual(try model.generate(jobs, maxConcurrent: 16), alone)
        XCTAssertEqual(try model.generate(jobs.reversed(), maxConcurrent: 7), alone.reversed())
        // The single-sequence API is the batch of one.
        let single = try model.generate(prompt: jobs[3].prompt, maxNewTokens: jobs[3].maxNewTokens, temperature: 0.9, topP: jobs[3].topP, seed: jobs[3].seed)
        XCTAssertEqual(single.tokens, alone[3].tokens)
    }

    func testAnEarlyStopLeavesTheBatchAndTheOthersFinishUnchanged() throws {
        let model = try stories()
        var jobs = jobs(model, temperature: 0)
        let alone = try jobs.map { try model.generate([$0])[0] }
        // Stop the first job at the first word it generates after its fourth token.
        let firstWords = alone[0].text.split(separator: " ")
        XCTAssertGreaterThan(firstWords.count, 4)
        jobs[0].stopSequences = [" " + firstWords[2]]
        let together = try model.generate(jobs, maxConcurrent: 16)
        XCTAssertEqual(together[0].finishReason, .stop)
        XCTAssertLessThan(together[0].tokens.count, alone[0].tokens.count)
        XCTAssertTrue(alone[0].text.hasPrefix(together[0].text))
        XCTAssertEqual(Array(together.dropFirst()), Array(alone.dropFirst()))
        XCTAssertEqual(together[0], try model.generate([jobs[0]])[0])
    }

    // MARK: - Training

    private func trainFiveSteps(lora: Bool, threads: Int) throws -> [Float] {
        let saved = EngineSettings.threadCount
        defer { EngineSettings.setThreadCount(saved) }
        EngineSettings.setThreadCount(threads)
        let model = try stories()
        let sequences = Self.randomSequences(count: 40, vocab: 512, lengths: 60 ... 120, seed: 9)
        let examples = sequences.map { s in LabeledSequence(inputIDs: s, labels: s.enumerated().map { $0.offset < 10 ? -100 : $0.element }) }
        var settings = TrainingSettings()
        settings.learningRate = lora ? 1e-2 : 1e-3
        settings.epochs = 1
        settings.batchSize = 8
        settings.warmupSteps = 1
        settings.checkpointEvery = 0
        let adapter = lora ? LoRAAdapter.initialized(for: model.transformer.weights, rank: 4, alpha: 8, seed: 3) : nil
        let trainer = Trainer(weights: model.transformer.weights, settings: settings, adapter: adapter, loraDropout: lora ? 0.1 : 0)
        var steps = 0
        try trainer.train(examples, progress: { _ in steps += 1 })
        XCTAssertEqual(steps, 5)
        return trainer.trainedParameters.flatMap(\.1.values)
    }

    private func assertIdentical(_ a: [Float], _ b: [Float], _ what: String) {
        XCTAssertEqual(a.count, b.count)
        let differing = zip(a, b).filter { $0.0.bitPattern != $0.1.bitPattern }.count
        XCTAssertEqual(differing, 0, "\(differing) of \(a.count) \(what) differ between 1 and 2 threads")
    }

    func testFullFineTuneEndsWithIdenticalWeightsOnOneAndTwoThreads() throws {
        assertIdentical(try trainFiveSteps(lora: false, threads: 1), try trainFiveSteps(lora: false, threads: 2), "weights")
    }

    func testLoRAFineTuneEndsWithIdenticalWeightsOnOneAndTwoThreads() throws {
        assertIdentical(try trainFiveSteps(lora: true, threads: 1), try trainFiveSteps(lora: true, threads: 2), "adapter weights")
    }

    func testThreadCountComesFromTheEnvironmentWhenSet() {
        XCTAssertEqual(EngineSettings.defaultThreadCount(environment: ["FORGETBENCH_THREADS": "3"]), 3)
        XCTAssertEqual(EngineSettings.defaultThreadCount(environment: ["FORGETBENCH_THREADS": "0"]), ProcessInfo.processInfo.activeProcessorCount)
        XCTAssertEqual(EngineSettings.defaultThreadCount(environment: [:]), ProcessInfo.processInfo.activeProcessorCount)
    }
}
