import Foundation
import Masking
import NativeModel
import TestSupport
import XCTest

/// A masked dataset for a Hugging Face fixture model (`Tests/Fixtures/hf/llama_gqa_untied_f32`, vocab
/// 256, token-id input) against the loss transformers computes on it.
///
/// `Tests/Fixtures/masking/hf_llama_gqa_untied_f32.masked.jsonl` was written by
/// `forgetbench mask --model Tests/Fixtures/hf/llama_gqa_untied_f32 --tokenizer
/// Tests/Fixtures/tokenizers/bytelevel/tokenizer.json --input Tests/Fixtures/masking/hf_train.jsonl
/// --chat-format plain --regime stm:1000 --no-cache --output ...`, and `...expected.json` by
/// `scripts/reference/check_masked_dataset.py` (torch 2.13 CPU, `LlamaForCausalLM(input_ids,
/// labels=labels).loss` per example via `default_data_collator`, token-weighted).
final class HuggingFaceLossTests: XCTestCase {
    func testMaskedLossEqualsTransformers() throws {
        let fixtures = TestPaths.fixtures
        let model = try NativeLanguageModel.load(modelPath: fixtures.appendingPathComponent("hf/llama_gqa_untied_f32").path,
                                                 tokenizerPath: fixtures.appendingPathComponent("tokenizers/bytelevel/tokenizer.json").path)
        let dir = try scratchDirectory(prefix: "forgetbench-masking")
        let outcome = try waitFor { try await MaskedDatasetBuilder(native: model).run(MaskingRequest(
            input: fixtures.appendingPathComponent("masking/hf_train.jsonl").path, output: dir.appendingPathComponent("out.jsonl").path,
            regime: .stm(tau: 1000), chatFormat: .plain, useCache: false)) }
        let committed = try TestPaths.readMasked(fixtures.appendingPathComponent("masking/hf_llama_gqa_untied_f32.masked.jsonl").path)
        XCTAssertEqual(outcome.examples.map(\.inputIDs), committed.map(\.inputIDs))
        XCTAssertEqual(outcome.examples.map(\.labels), committed.map(\.labels))
        XCTAssertEqual(outcome.manifest.counts.maskedTokens, 25)
        let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("masking/hf_llama_gqa_untied_f32.expected.json"))) as? [String: Any])
        let hf = try XCTUnwrap(expected["hf_masked_mean_nll"] as? Double)
        XCTAssertEqual(try XCTUnwrap(outcome.manifest.baseMaskedMeanNLL), hf, accuracy: 1e-5)
        XCTAssertEqual(outcome.manifest.counts.trainedTokens, expected["labelled_tokens"] as? Int)
    }
}
