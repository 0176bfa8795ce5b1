import Foundation
import Harness
import Masking
import NativeModel
import TestSupport
import XCTest

/// The regimes end to end on stories260K (llama2.c tokenizer, plain chat format).
final class StoriesMaskingTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try scratchDirectory(prefix: "forgetbench-masking") }

    func run(_ model: NativeLanguageModel, regime: String, seed: UInt64 = 0, input: String, name: String? = nil,
             maxSeqLen: Int? = nil) throws -> MaskedDatasetBuilder.Outcome {
        let output = dir.appendingPathComponent(name ?? "\(regime.replacingOccurrences(of: ":", with: "_"))-\(seed).jsonl").path
        return try waitFor { try await MaskedDatasetBuilder(native: model).run(MaskingRequest(
            input: input, output: output, regime: try MaskingRegime.parse(regime), seed: seed, maxSeqLen: maxSeqLen)) }
    }

    func testPlainFormatLabelsPromptAndResponse() throws {
        let model = try TestPaths.stories260K()
        let t = try ExampleTokenizer(tokenizer: model.tokenizer, format: .auto, maxLength: 512)
        XCTAssertEqual(t.format, .plain)
        let example = try t.tokenize(TrainingExample(prompt: "Once upon a time", response: "there was"))
        XCTAssertEqual(Array(example.inputIDs.prefix(5)), [1, 403, 407, 261, 378])
        XCTAssertEqual(example.inputIDs.last, 2)  // EOS after the response
        XCTAssertEqual(example.isResponse.prefix(5), [false, false, false, false, false])
        XCTAssertTrue(example.isResponse.dropFirst(5).allSatisfy { $0 })
        XCTAssertEqual(Array(example.inputIDs.dropFirst(5).dropLast()), model.encode("there was", addSpecialTokens: false))
        XCTAssertThrowsError(try ExampleTokenizer(tokenizer: model.tokenizer, format: .chatml, maxLength: 512)) { error in
            XCTAssertTrue(String(describing: error).contains("<|im_start|>"), String(describing: error))
        }
    }

    func testMatchedRegimesMaskExactlyTheSameCount() throws {
        let model = try TestPaths.stories260K()
        let input = try TestPaths.write(StoryData.lines, named: "train.jsonl", in: dir)
        let stm = try run(model, regime: "stm:2.5", input: input)
        let random = try run(model, regime: "random:matched", seed: 1, input: input)
        let lowest = try run(model, regime: "lowest:matched", input: input)
        let n = stm.manifest.counts.maskedTokens
        XCTAssertGreaterThan(n, 0)
        XCTAssertLessThan(n, stm.manifest.counts.responseTokens)
        XCTAssertEqual(random.manifest.counts.maskedTokens, n)
        XCTAssertEqual(lowest.manifest.counts.maskedTokens, n)
        XCTAssertEqual(stm.manifest.tau, 2.5)
        XCTAssertEqual(random.manifest.regime, "random:matched")

        // Prompt tokens are -100 under every regime; stm drops exactly the tokens with ppl > 2.5 and
        // lowest drops tokens no higher than any kept one.
        let ground = try run(model, regime: "ground-truth", input: input)
        for outcome in [stm, random, lowest, ground] {
            for (line, gt) in zip(outcome.examples, ground.examples) {
                XCTAssertEqual(line.inputIDs, gt.inputIDs)
                XCTAssertEqual(line.labels[0], -100)
                for t in line.labels.indices where gt.labels[t] == -100 { XCTAssertEqual(line.labels[t], -100) }
            }
        }
        for line in stm.examples {
            for t in line.labels.indices.dropFirst() where ground.examples.first(where: { $0.inputIDs == line.inputIDs })!.labels[t] != -100 {
                XCTAssertEqual(line.labels[t] == -100, line.ppl[t]! > 2.5)
            }
        }
        let maskedLow = zip(lowest.examples, ground.examples).flatMap { l, g in l.labels.indices.filter { l.labels[$0] == -100 && g.labels[$0] != -100 }.map { l.ppl[$0]! } }
        let keptLow = zip(lowest.examples, ground.examples).flatMap { l, g in l.labels.indices.filter { l.labels[$0] != -100 && g.labels[$0] != -100 }.map { l.ppl[$0]! } }
        XCTAssertLessThanOrEqual(maskedLow.max()!, keptLow.min()!)
        // The second and later regimes reused the first one's scores.
        XCTAssertTrue(random.usedCache && lowest.usedCache)
        XCTAssertFalse(stm.usedCache)
    }

    func testGroundTruthMasksNoResponseToken() throws {
        let model = try TestPaths.stories260K()
        let input = try TestPaths.write(StoryData.lines, named: "train.jsonl", in: dir)
        let gt = try run(model, regime: "ground-truth", input: input)
        XCTAssertEqual(gt.manifest.counts.maskedTokens, 0)
        XCTAssertEqual(gt.manifest.counts.trainedTokens, gt.manifest.counts.responseTokens)
        XCTAssertNil(gt.manifest.tau)
        let tokenizer = try ExampleTokenizer(tokenizer: model.tokenizer, format: .plain, maxLength: 512)
        let (examples, _) = try TrainingDataReader.read(path: input)
        for (line, example) in zip(gt.examples, examples) {
            let tokens = try tokenizer.tokenize(example)
            XCTAssertEqual(line.inputIDs, tokens.inputIDs)
            for t in line.labels.indices {
                XCTAssertEqual(line.labels[t], tokens.isResponse[t] && t > 0 ? line.inputIDs[t] : -100)
            }
            XCTAssertNil(line.ppl[0])
            XCTAssertEqual(line.ppl.count, line.inputIDs.count)
        }
        XCTAssertEqual(gt.examples[0].id, "a")
    }

    func testTopFractionMasksRoundedQuarter() throws {
        let model = try TestPaths.stories260K()
        let input = try TestPaths.write(StoryData.lines, named: "train.jsonl", in: dir)
        let top = try run(model, regime: "top-fraction:0.25", input: input)
        let n = top.manifest.counts.responseTokens
        XCTAssertEqual(top.manifest.counts.maskedTokens, Int((0.25 * Double(n)).rounded()))
        // Global ranking: every masked token's ppl is at least every kept response token's.
        let gt = try run(model, regime: "ground-truth", input: input)
        var masked: [Double] = [], kept: [Double] = []
        for (l, g) in zip(top.examples, gt.examples) {
            for t in l.labels.indices where g.labels[t] != -100 { (l.labels[t] == -100 ? { masked.append(l.ppl[t]!) } : { kept.append(l.ppl[t]!) })() }
        }
        XCTAssertGreaterThanOrEqual(masked.min()!, kept.max()!)
        let random = try run(model, regime: "random:0.25", seed: 3, input: input)
        XCTAssertEqual(random.manifest.counts.maskedTokens, top.manifest.counts.maskedTokens)
    }

    func testRandomIsDeterministicInTheSeed() throws {
        let model = try TestPaths.stories260K()
        let input = try TestPaths.write(StoryData.lines, named: "train.jsonl", in: dir)
        let a = try run(model, regime: "random:matched", seed: 11, input: input, name: "a.jsonl")
        let b = try run(model, regime: "random:matched", seed: 11, input: input, name: "b.jsonl")
        let c = try run(model, regime: "random:matched", seed: 12, input: input, name: "c.jsonl")
        XCTAssertEqual(a.examples.map(\.labels), b.examples.map(\.labels))
        XCTAssertNotEqual(a.examples.map(\.labels), c.examples.map(\.labels))
        XCTAssertEqual(a.manifest.counts.maskedTokens, c.manifest.counts.maskedTokens)
        XCTAssertEqual(c.manifest.seed, 12)
        // The written file is what the outcome holds, and bytes are identical for one seed.
        XCTAssertEqual(try TestPaths.readMasked(dir.appendingPathComponent("a.jsonl").path), a.examples)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("a.jsonl")), try Data(contentsOf: dir.appendingPathComponent("b.jsonl")))
    }

    func testManifestRecordsTheRunAndVerifiesTheModel() throws {
        let model = try TestPaths.stories260K()
        let input = try TestPaths.write(StoryData.lines, named: "train.jsonl", in: dir)
        let out = try run(model, regime: "stm:2.5", input: input, name: "train.stm.jsonl")
        let manifest = try MaskedDatasetManifest.load(forDataset: dir.appendingPathComponent("train.stm.jsonl").path)
        XCTAssertEqual(manifest, out.manifest)
        XCTAssertEqual(manifest.baseModel.sha256, model.fingerprint.sha256)
        XCTAssertEqual(manifest.dataSHA256, try ContentHash.sha256(fileAt: URL(fileURLWithPath: input)))
        XCTAssertEqual(manifest.chatFormat, "plain")
        XCTAssertEqual(manifest.counts.examples, StoryData.lines.count)
        XCTAssertEqual(manifest.maxSeqLen, 512)
        XCTAssertEqual(manifest.truncatedExamples, 0)
        XCTAssertEqual(manifest.counts.maskedFraction, Double(manifest.counts.maskedTokens) / Double(manifest.counts.responseTokens))
        XCTAssertNoThrow(try manifest.verify(against: model.fingerprint))
        let other = ModelFingerprint(sha256: String(repeating: "ab", count: 32), files: ["other.bin"])
        XCTAssertThrowsError(try manifest.verify(against: other)) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("sha256:abababababab") && message.contains("re-run forgetbench mask"), message)
        }
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("train.stm.manifest.json"))) as? [String: Any])
        XCTAssertEqual((json["base_model"] as? [String: Any])?["sha256"] as? String, model.fingerprint.sha256)
        XCTAssertEqual(json["regime"] as? String, "stm:2.5")
        XCTAssertNotNil((json["counts"] as? [String: Any])?["masked_fraction"])
        // The score cache sits in the output's directory, keyed by model, data, format and length.
        let cacheName = ScoreCache.fileName(modelSHA256: model.fingerprint.sha256, dataSHA256: manifest.dataSHA256, chatFormat: "plain", maxSeqLen: 512)
        XCTAssertEqual(out.cachePath, dir.appendingPathComponent(cacheName).path)
        let cache = try XCTUnwrap(ScoreCache.load(from: dir.appendingPathComponent(cacheName)))
        XCTAssertEqual(cache.inputIDs, out.examples.map(\.inputIDs))
    }

    func testTruncationIsCountedAndPromptOnlyExamplesRefused() throws {
        let model = try TestPaths.stories260K()
        let input = try TestPaths.write(StoryData.lines, named: "train.jsonl", in: dir)
        let out = try run(model, regime: "ground-truth", input: input, maxSeqLen: 24)
        XCTAssertGreaterThan(out.manifest.truncatedExamples, 0)
        XCTAssertTrue(out.examples.allSatisfy { $0.inputIDs.count <= 24 })
        XCTAssertEqual(out.manifest.maxSeqLen, 24)
        XCTAssertThrowsError(try run(model, regime: "ground-truth", input: input, maxSeqLen: 5)) { error in
            XCTAssertTrue(String(describing: error).contains("\(input):1: the prompt fills --max-seq-len 5"), String(describing: error))
        }
        XCTAssertThrowsError(try run(model, regime: "ground-truth", input: input, maxSeqLen: 600)) { error in
            XCTAssertTrue(String(describing: error).contains("exceeds the model's context"), String(describing: error))
        }
    }

    func testBadInputLineIsAnError() throws {
        let model = try TestPaths.stories260K()
        let input = try TestPaths.write([StoryData.lines[0], #"{"prompt": "no response here"}"#], named: "bad.jsonl", in: dir)
        XCTAssertThrowsError(try run(model, regime: "stm:2.5", input: input)) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("\(input):2: "), String(describing: error))
        }
        let ids = try TestPaths.write([#"{"prompt_ids": [1, 600], "response_ids": [3]}"#], named: "ids.jsonl", in: dir)
        XCTAssertThrowsError(try run(model, regime: "stm:2.5", input: ids)) { error in
            XCTAssertTrue(String(describing: error).hasPrefix("\(ids):1: token id 600"), String(describing: error))
        }
    }

    /// The loss golden of `../shared/goldens/stories260K.md` through the masked-dataset format:
    /// [BOS] + 200 greedy tokens, labels -100 at positions 0...100; mean NLL 0.493644.
    func testMaskedLossReproducesTheGolden() throws {
        let model = try TestPaths.stories260K()
        let greedy = try model.generate(prompt: [1], maxNewTokens: 200, temperature: 0, topP: 1, seed: 1).tokens
        XCTAssertEqual(greedy.count, 200)
        let sequence = [1] + greedy
        let line = "{\"prompt_ids\": \(Array(sequence[...100])), \"response_ids\": \(Array(sequence[101...]))}"
        let input = try TestPaths.write([line], named: "golden.jsonl", in: dir)
        let out = try run(model, regime: "ground-truth", input: input, name: "golden.masked.jsonl")
        let written = try TestPaths.readMasked(dir.appendingPathComponent("golden.masked.jsonl").path)
        XCTAssertEqual(written[0].inputIDs, sequence)
        XCTAssertEqual(written[0].labels, Array(repeating: -100, count: 101) + Array(sequence[101...]))
        // From the file: mean over labelled t of -log p(input_ids[t] | < t).
        let logProbs = try model.scores([written[0].inputIDs])[0].logProbs
        XCTAssertEqual(MaskedLoss.mean([(written[0].labels, logProbs)]), 0.493644, accuracy: 1e-5)
        XCTAssertEqual(try XCTUnwrap(out.manifest.baseMaskedMeanNLL), 0.493644, accuracy: 1e-5)
        // And the ppl column is exp(-log p).
        for t in 1 ..< sequence.count { XCTAssertEqual(written[0].ppl[t]!, exp(-logProbs[t - 1]), accuracy: 1e-9 * written[0].ppl[t]!) }
    }

    func testPerplexitySummary() throws {
        let model = try TestPaths.stories260K()
        let input = try TestPaths.write(StoryData.lines, named: "train.jsonl", in: dir)
        let scored = try waitFor { try await MaskedDatasetBuilder(native: model).scoreFile(input: input, chatFormat: .auto, maxSeqLen: nil, cacheDirectory: nil) }
        let summary = PerplexitySummary(scores: scored.scores, taus: [1.5, 2.5, .infinity])
        let stm = try run(model, regime: "stm:2.5", input: input)
        XCTAssertEqual(summary.tokenCount, stm.manifest.counts.responseTokens)
        XCTAssertEqual(summary.maskedFractions[1].fraction, stm.manifest.counts.maskedFraction, accuracy: 1e-12)
        XCTAssertEqual(summary.maskedFractions[2].fraction, 0)
        XCTAssertEqual(summary.histogram.map(\.count).reduce(0, +), summary.tokenCount)
        XCTAssertEqual(summary.quantiles.map(\.q), [0.1, 0.25, 0.5, 0.75, 0.9, 0.99])
        XCTAssertTrue(zip(summary.quantiles, summary.quantiles.dropFirst()).allSatisfy { $0.value <= $1.value })
        XCTAssertEqual(summary.quantile(0.5), summary.quantiles[2].value)
        XCTAssertEqual(summary.sortedPerplexities.count, summary.tokenCount)
        XCTAssertEqual(summary.quantile(0), summary.sortedPerplexities.first)
        let text = summary.render()
        print(text)
        XCTAssertTrue(text.contains("p50") && text.contains("TAU 2.500") && text.contains("histogram"), text)
    }
}
