import Foundation
import TestSupport
import XCTest
@testable import NativeModel

/// The engine against transformers (PyTorch, float32) on the same safetensors weights. Fixtures are
/// made by `scripts/reference/make_hf_fixtures.py`; each directory holds the checkpoint and
/// `expected.json` with the reference per-token log-probs and greedy continuations.
final class HuggingFaceParityTests: XCTestCase {
    static let fixtureNames = ["llama_gqa_untied_f32", "llama_tied_bf16", "llama3_rope_scaling_f32",
                               "qwen2_gqa_f32", "qwen2_tied_f16", "llama_sharded_f32"]

    func check(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = TestPaths.fixtures.appendingPathComponent("hf/\(name)")
        let expected = try TestPaths.json(dir.appendingPathComponent("expected.json"))
        let weights = try CheckpointLoader.loadWeights(at: dir.path)
        let model = NativeLanguageModel.tokenLevel(weights)

        let sequences = try XCTUnwrap(expected["sequences"] as? [[String: Any]])
        let tokens = try sequences.map { try XCTUnwrap($0["token_ids"] as? [Int]) }
        let reference = try sequences.map { try XCTUnwrap($0["logprobs"] as? [Double]) }
        XCTAssertGreaterThanOrEqual(reference.map(\.count).reduce(0, +), 256, "\(name): too few tokens to compare", file: file, line: line)
        let scores = try model.scores(tokens)  // one batch: also checks that packing sequences is exact
        var worst = 0.0
        for (s, r) in zip(scores, reference) {
            XCTAssertEqual(s.logProbs.count, r.count, file: file, line: line)
            for (a, b) in zip(s.logProbs, r) { worst = max(worst, abs(a - b)) }
        }
        XCTAssertLessThanOrEqual(worst, 2e-4, "\(name): largest log-prob difference \(worst)", file: file, line: line)

        for case let g as [String: Any] in try XCTUnwrap(expected["greedy"] as? [Any]) {
            let prompt = try XCTUnwrap(g["prompt_ids"] as? [Int])
            let reference = try XCTUnwrap(g["generated_ids"] as? [Int])
            let result = try model.generate(prompt: prompt, maxNewTokens: reference.count, temperature: 0, topP: 1, seed: 1)
            XCTAssertEqual(result.tokens, reference, "\(name): greedy tokens after \(prompt)", file: file, line: line)
        }
    }

    func testLlamaGroupedQueryUntiedF32() throws { try check("llama_gqa_untied_f32") }
    func testLlamaTiedBF16() throws { try check("llama_tied_bf16") }
    func testLlama3RopeScaling() throws { try check("llama3_rope_scaling_f32") }
    func testQwen2Biases() throws { try check("qwen2_gqa_f32") }
    func testQwen2TiedF16() throws { try check("qwen2_tied_f16") }
    func testShardedCheckpoint() throws { try check("llama_sharded_f32") }

    func testConfigOfTransformers4FormIsReadTheSame() throws {
        // config_v4.json spells rope parameters as transformers 4 did (rope_theta, rope_scaling).
        for name in Self.fixtureNames {
            let dir = TestPaths.fixtures.appendingPathComponent("hf/\(name)")
            let v4 = dir.appendingPathComponent("config_v4.json")
            guard FileManager.default.fileExists(atPath: v4.path) else { continue }
            let a = try HFConfigParser.parse(configURL: dir.appendingPathComponent("config.json"), generationConfigURL: nil)
            let b = try HFConfigParser.parse(configURL: v4, generationConfigURL: nil)
            XCTAssertEqual(a, b, name)
        }
    }

    func testLlama3ScalingChangesFrequencies() throws {
        let dir = TestPaths.fixtures.appendingPathComponent("hf/llama3_rope_scaling_f32")
        let config = try CheckpointLoader.loadWeights(at: dir.path).config
        guard case .llama3 = config.ropeScaling else { return XCTFail("rope_scaling not read: \(String(describing: config.ropeScaling))") }
        var unscaled = config
        unscaled.ropeScaling = nil
        XCTAssertNotEqual(RotaryEmbedding(config: config).inverseFrequencies, RotaryEmbedding(config: unscaled).inverseFrequencies)
    }
}

/// A PEFT LoRA adapter (rank 4, all linear layers, random A and B) merged into the base weights gives
/// PEFT's log-probs (`scripts/reference/make_lora_fixtures.py`).
final class LoRAAdapterTests: XCTestCase {
    func testMergedPEFTAdapterMatchesPEFT() throws {
        let base = TestPaths.fixtures.appendingPathComponent("hf/llama_gqa_untied_f32")
        let adapterDirectory = TestPaths.fixtures.appendingPathComponent("lora/llama_gqa_untied_f32_r4")
        let weights = try CheckpointLoader.loadWeights(at: base.path)
        let adapter = try LoRAAdapter.load(directory: adapterDirectory)
        XCTAssertEqual(adapter.modules.count, 14, "7 linear layers × 2 decoder layers")
        XCTAssertEqual(adapter.scale, 2)
        try adapter.merge(into: weights)
        let expected = try TestPaths.json(adapterDirectory.appendingPathComponent("expected.json"))
        let sequences = try XCTUnwrap(expected["sequences"] as? [[String: Any]])
        let scores = try NativeLanguageModel.tokenLevel(weights).scores(sequences.map { try XCTUnwrap($0["token_ids"] as? [Int]) })
        var worst = 0.0
        for (s, r) in zip(scores, sequences) {
            for (a, b) in zip(s.logProbs, try XCTUnwrap(r["logprobs"] as? [Double])) { worst = max(worst, abs(a - b)) }
        }
        XCTAssertLessThanOrEqual(worst, 2e-4, "largest log-prob difference \(worst)")
        // The adapter really changes the model.
        let first = try XCTUnwrap(sequences[0]["token_ids"] as? [Int])
        let plain = try NativeLanguageModel.tokenLevel(CheckpointLoader.loadWeights(at: base.path)).scores([first])[0]
        XCTAssertGreaterThan(zip(plain.logProbs, scores[0].logProbs).map { abs($0 - $1) }.max() ?? 0, 0.01)
    }

    func testUnsupportedAdapterIsRefusedNamingTheFile() throws {
        let dir = try scratchDirectory(prefix: "forgetbench-tests")
        try Data(#"{"peft_type": "LORA", "r": 4, "lora_alpha": 8, "use_dora": true}"#.utf8).write(to: dir.appendingPathComponent("adapter_config.json"))
        XCTAssertThrowsError(try LoRAAdapter.load(directory: dir)) {
            XCTAssertEqual("\($0)", dir.appendingPathComponent("adapter_config.json").path + ": use_dora true is not supported")
        }
    }
}
