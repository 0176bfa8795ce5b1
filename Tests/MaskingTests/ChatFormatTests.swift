import Foundation
import Masking
import Tokenizers
import XCTest

/// Chat formats on the byte-level tokenizer fixtures (Llama 3-style, Qwen2-style, GPT-2-style).
final class ChatFormatTests: XCTestCase {
    func tokenizer(_ name: String) throws -> any Tokenizer {
        try loadTokenizer(at: TestPaths.fixtures.appendingPathComponent("tokenizers/\(name)/tokenizer.json").path)
    }

    let example = TrainingExample(content: .text(prompt: [ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Hi there")],
                                                 response: "Hello!"))

    func testAutoWithoutATemplateIsPlainAndSaysSo() throws {
        // These fixtures hold chat tokens but no chat template: auto never guesses a format.
        for name in ["bytelevel", "bytelevel_qwen2", "bytelevel_gpt2"] {
            let directory = TestPaths.fixtures.appendingPathComponent("tokenizers/\(name)")
            let formatter = try ChatFormatter(format: .auto, tokenizer: try tokenizer(name), templateDirectory: directory)
            XCTAssertEqual(formatter.format, .plain, name)
            XCTAssertTrue(formatter.notice?.contains("has no chat template") ?? false, name)
        }
        XCTAssertEqual(try ChatFormatter(format: .chatml, tokenizer: try tokenizer("bytelevel_qwen2"), templateDirectory: nil).format, .chatml)
        XCTAssertThrowsError(try ChatFormatter(format: .template, tokenizer: try tokenizer("bytelevel"), templateDirectory: nil)) { error in
            XCTAssertTrue(String(describing: error).contains("has no chat template"), String(describing: error))
        }
    }

    func testLlama3Layout() throws {
        let tok = try tokenizer("bytelevel")
        let t = try ExampleTokenizer(tokenizer: tok, format: .llama3, maxLength: 4096)
        let parts = try t.parts(example)
        let (prompt, response) = (parts.prompt, parts.response)
        let expectedPrompt = tok.encode("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", addSpecialTokens: false)
        XCTAssertEqual(prompt, expectedPrompt)
        XCTAssertEqual(prompt.first, tok.id(for: "<|begin_of_text|>"))
        XCTAssertEqual(prompt.filter { $0 == tok.id(for: "<|begin_of_text|>") }.count, 1)  // no second BOS
        XCTAssertEqual(response, tok.encode("Hello!", addSpecialTokens: false) + [tok.id(for: "<|eot_id|>")!])
        let tokenized = try t.tokenize(example)
        XCTAssertEqual(tokenized.inputIDs, prompt + response)
        XCTAssertEqual(tokenized.isResponse, Array(repeating: false, count: prompt.count) + Array(repeating: true, count: response.count))
    }

    func testChatMLLayout() throws {
        let tok = try tokenizer("bytelevel_qwen2")
        let t = try ExampleTokenizer(tokenizer: tok, format: .chatml, maxLength: 4096)
        let parts = try t.parts(example)
        let (prompt, response) = (parts.prompt, parts.response)
        XCTAssertEqual(prompt, tok.encode("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n", addSpecialTokens: true))
        XCTAssertEqual(prompt.first, tok.id(for: "<|im_start|>"))
        XCTAssertEqual(response.last, tok.id(for: "<|im_end|>"))
        XCTAssertThrowsError(try ExampleTokenizer(tokenizer: try tokenizer("bytelevel_gpt2"), format: .llama3, maxLength: 64)) { error in
            XCTAssertTrue(String(describing: error).contains("<|start_header_id|>"), String(describing: error))
        }
    }

    func testTruncationCutsTheEnd() throws {
        let tok = try tokenizer("bytelevel")
        let full = try ExampleTokenizer(tokenizer: tok, format: .llama3, maxLength: 4096).tokenize(example)
        let cut = try ExampleTokenizer(tokenizer: tok, format: .llama3, maxLength: full.inputIDs.count - 2).tokenize(example)
        XCTAssertTrue(cut.truncated)
        XCTAssertFalse(full.truncated)
        XCTAssertEqual(cut.inputIDs, Array(full.inputIDs.dropLast(2)))
        XCTAssertEqual(cut.isResponse, Array(full.isResponse.dropLast(2)))
    }
}
