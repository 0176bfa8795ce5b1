import Foundation
import XCTest
@testable import Runner

/// `model.server.start` of `model.kind: openai`: placeholders, the adapter lists that become several
/// words (vLLM's `--lora-modules`, `forgetbench serve`'s `--lora`), and the spec keys around it.
final class ServerCommandTests: XCTestCase {
    func testPlaceholdersAndAdapterListsExpand() throws {
        let vllm = try ServerCommand("vllm serve {base} --served-model-name {name} --port {port} --max-cpu-loras {n} {lora_modules}")
        let adapters = [(name: "m-stm-2.5-seed1", path: "/r/a b"), (name: "m-ground-truth-seed1", path: "/r/c")]
        XCTAssertEqual(vllm.arguments(base: "/m", tokenizer: "/m/tokenizer.json", name: "m", port: 8123, maxAdapters: 6, adapters: adapters),
                       ["vllm", "serve", "/m", "--served-model-name", "m", "--port", "8123", "--max-cpu-loras", "6",
                        "--lora-modules", "m-stm-2.5-seed1=/r/a b", "m-ground-truth-seed1=/r/c"])
        XCTAssertEqual(vllm.arguments(base: "/m", tokenizer: "", name: "m", port: 1, maxAdapters: 0, adapters: []),
                       ["vllm", "serve", "/m", "--served-model-name", "m", "--port", "1", "--max-cpu-loras", "1"],
                       "no adapter known yet: the flag is left out, not left empty")
        let serve = try ServerCommand("forgetbench serve --model {base} --tokenizer '{tokenizer}' {lora_args} {adapters}")
        XCTAssertEqual(serve.arguments(base: "/m", tokenizer: "/t.json", name: "m", port: 1, maxAdapters: 1, adapters: adapters),
                       ["forgetbench", "serve", "--model", "/m", "--tokenizer", "/t.json",
                        "--lora", "m-stm-2.5-seed1=/r/a b", "--lora", "m-ground-truth-seed1=/r/c",
                        "m-stm-2.5-seed1=/r/a b", "m-ground-truth-seed1=/r/c"])
    }

    func testBadTemplatesAreRefused() {
        XCTAssertThrowsError(try ServerCommand("vllm serve {model}")) { XCTAssertTrue("\($0)".contains("unknown placeholder {model}"), "\($0)") }
        XCTAssertThrowsError(try ServerCommand("vllm serve --lora-modules={adapters}")) { XCTAssertTrue("\($0)".contains("must stand alone"), "\($0)") }
        XCTAssertThrowsError(try ServerCommand("vllm 'serve")) { XCTAssertTrue("\($0)".contains("unterminated"), "\($0)") }
        XCTAssertThrowsError(try ServerCommand("  "))
    }

    func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("served-spec-\(UUID().uuidString).yaml")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func spec(model: String, training: String = "") -> String {
        """
        name: s
        model:
        \(model)
        training_data: {task: toy_subtract}
        regimes: [ground-truth]
        \(training)
        target_tasks: [toy_subtract]
        non_target_tasks: [toy_max]

        """
    }

    func testServedSpecsParseAndMistakesNameTheirLine() throws {
        let good = try ExperimentSpecParser.parse(fileAt: try write(spec(model: """
          kind: openai
          path: models/tiny_llama
          server:
            start: "forgetbench serve --model {base} --port {port} {lora_args}"
            timeout: 30
          batch_size: 4
        """)))
        let serving = try XCTUnwrap(good.spec.model.serving)
        XCTAssertEqual(serving.name, "tiny_llama", "the id defaults to the path's base name")
        XCTAssertEqual(serving.readyTimeout, 30)
        XCTAssertEqual(serving.batchSize, 4)
        XCTAssertNil(serving.url)

        func refused(_ model: String, training: String = "", _ line: Int, _ words: [String]) throws {
            let path = try write(spec(model: model, training: training))
            XCTAssertThrowsError(try ExperimentSpecParser.parse(fileAt: path)) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("\(path):\(line)"), text)
                for w in words { XCTAssertTrue(text.contains(w), text) }
            }
        }
        try refused("  kind: openai\n  path: m", 3, ["model.url", "model.server"])
        try refused("  kind: openai\n  path: m\n  server: {start: \"vllm serve {bas}\"}", 5, ["unknown placeholder {bas}"])
        try refused("  kind: openai\n  path: m\n  url: ftp://x", 5, ["http(s) URL"])
        try refused("  kind: native\n  path: m\n  url: http://127.0.0.1:8000/v1", 5, ["model.kind: openai"])
        try refused("  kind: openai\n  path: m\n  url: http://127.0.0.1:8000/v1", training: "training: {method: full}", 3, ["LoRA adapter", "training.method: full"])
    }
}
