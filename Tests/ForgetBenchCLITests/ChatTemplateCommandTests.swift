import Foundation
import Harness
import NativeModel
import TestSupport
import Tokenizers
import XCTest

/// `--chat-format auto` end to end through the binary: `mask` on a model directory with a real
/// chat template (Llama 3.1's, from `../shared/chat-templates`) gives transformers'
/// `apply_chat_template` tokens; a model without a template says so once; `eval
/// --apply-chat-template` and a task file's `chat_template: true` show prompts through the
/// template; `train` refuses data masked under another template.
final class ChatTemplateCommandTests: XCTestCase {
    var work: URL!

    override func setUpWithError() throws { work = try scratchDirectory(prefix: "forgetbench-cli") }

    static let fixture = CLI.repositoryRoot.appendingPathComponent("Tests/Fixtures/chat-tokenizers/llama-3.1-8b-instruct")

    /// A random one-layer Llama over the fixture tokenizer, with the real template beside it.
    func llamaDirectory() throws -> URL {
        let template = try CLI.shared().appendingPathComponent("chat-templates/llama-3.1-8b-instruct/chat_template.jinja")
        guard FileManager.default.fileExists(atPath: template.path) else { throw XCTSkip("\(template.path) is absent") }
        let tokenizer = try loadTokenizer(at: Self.fixture.appendingPathComponent("tokenizer.json").path)
        let config = TransformerConfig(hiddenSize: 16, intermediateSize: 32, layerCount: 1, headCount: 2, kvHeadCount: 1,
                                       vocabSize: tokenizer.vocabularySize, maxPositions: 4096)
        let directory = work.appendingPathComponent("llama")
        try HFCheckpointWriter.write(LlamaWeights.random(config: config, seed: 3), tokenizer: Self.fixture.appendingPathComponent("tokenizer.json"), to: directory)
        // The writer copies tokenizer_config.json beside the tokenizer, as save_pretrained does.
        try FileManager.default.copyItem(at: template, to: directory.appendingPathComponent("chat_template.jinja"))
        return directory
    }

    func jsonLines(_ url: URL) throws -> [[String: Any]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    func testMaskWithTheModelsTemplateGivesApplyChatTemplatesTokens() throws {
        let model = try llamaDirectory()
        let expected = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixture.appendingPathComponent("expected.json"))) as? [String: Any])
        let reference = try XCTUnwrap((expected["conversations"] as? [[String: Any]])?.first { $0["name"] as? String == "single_turn" })
        let messages = (reference["messages"] as! [[String: Any]]) + [reference["response"] as! [String: Any]]
        let input = work.appendingPathComponent("train.jsonl")
        try JSONSerialization.data(withJSONObject: ["messages": messages]).write(to: input)
        let output = work.appendingPathComponent("masked.jsonl")
        let r = try CLI.run(["mask", "--model", model.path, "--input", input.path, "--regime", "ground-truth", "--no-cache", "--output", output.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("chat format template"), r.stdout)
        XCTAssertFalse(r.stderr.contains("no chat template"), r.stderr)
        let line = try XCTUnwrap(try jsonLines(output).first)
        XCTAssertEqual(line["input_ids"] as? [Int], reference["input_ids"] as? [Int])
        let labels = try XCTUnwrap(line["labels"] as? [Int])
        XCTAssertEqual(labels.firstIndex { $0 != -100 }, reference["response_start"] as? Int)
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("masked.manifest.json"))) as? [String: Any])
        XCTAssertEqual(manifest["chat_template_sha256"] as? String, expected["template_sha256"] as? String)

        // The template changes: training on the old masks is refused, naming the template.
        try Data("{# edited #}".utf8).write(to: model.appendingPathComponent("chat_template.jinja"))
        let train = try CLI.run(["train", "--model", model.path, "--data", output.path, "--epochs", "1", "--output", work.appendingPathComponent("tuned").path])
        XCTAssertNotEqual(train.status, 0)
        XCTAssertTrue(train.stderr.contains("chat template"), train.stderr)
    }

    func testAutoWithoutATemplateSaysSoOnce() throws {
        let input = work.appendingPathComponent("train.jsonl")
        let lines = (0..<3).map { #"{"messages": [{"role": "user", "content": "Tom had a ball \#($0)."}, {"role": "assistant", "content": "He threw it."}]}"# }
        try Data(lines.joined(separator: "\n").utf8).write(to: input)
        let r = try CLI.run(["mask", "--model", try CLI.shared().appendingPathComponent("models/stories260K/stories260K.bin").path,
                             "--input", input.path, "--regime", "ground-truth", "--no-cache", "--output", work.appendingPathComponent("m.jsonl").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr.components(separatedBy: "has no chat template; --chat-format auto formats conversations as plain text").count, 2, r.stderr)
        XCTAssertTrue(r.stdout.contains("chat format plain"), r.stdout)
    }

    func testEvalShowsPromptsThroughTheTemplateWhenAskedOrWhenTheTaskSaysSo() throws {
        let model = try llamaDirectory()
        let data = try CLI.shared().appendingPathComponent("data").path
        let taskDir = work.appendingPathComponent("tasks")
        try FileManager.default.createDirectory(at: taskDir, withIntermediateDirectories: true)
        var taskFile = try String(contentsOf: CLI.repositoryRoot.appendingPathComponent("tasks/arc_easy.yaml"), encoding: .utf8)
        taskFile = taskFile.replacingOccurrences(of: "name: arc_easy", with: "name: arc_easy_chat") + "chat_template: true\n"
        let dataPath = URL(fileURLWithPath: data).appendingPathComponent("arc/arc_easy.jsonl").path
        taskFile = taskFile.replacingOccurrences(of: "path: arc/arc_easy.jsonl", with: "path: \(dataPath)")
        try Data(taskFile.utf8).write(to: taskDir.appendingPathComponent("arc_easy_chat.yaml"))

        func promptHashes(_ task: String, _ extra: [String]) throws -> (hashes: [String], settings: [String: Any]) {
            let out = work.appendingPathComponent("\(task)-\(extra.joined())")
            let r = try CLI.run(["eval", "--model", model.path, "--tasks", task, "--limit", "3", "--data-dir", data,
                                 "--tasks-dir", taskDir.path, "--output", out.path] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
            let samples = try jsonLines(out.appendingPathComponent("samples/\(task).jsonl"))
            let results = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("results.json"))) as? [String: Any])
            let hashes = samples.compactMap { $0["promptSHA256"] as? String }
            XCTAssertEqual(hashes.count, 3)
            return (hashes, results["settings"] as? [String: Any] ?? [:])
        }
        let plain = try promptHashes("arc_easy", [])
        let flagged = try promptHashes("arc_easy", ["--apply-chat-template"])
        let declared = try promptHashes("arc_easy_chat", [])
        let declaredOff = try promptHashes("arc_easy_chat", ["--no-apply-chat-template"])
        XCTAssertNotEqual(plain.hashes, flagged.hashes, "the template changes every prompt")
        XCTAssertEqual(flagged.hashes, declared.hashes, "chat_template: true is --apply-chat-template")
        XCTAssertEqual(plain.hashes, declaredOff.hashes, "--no-apply-chat-template overrides the task file")
        let templateSHA = ContentHash.sha256(try String(contentsOf: model.appendingPathComponent("chat_template.jinja"), encoding: .utf8))
        XCTAssertEqual(flagged.settings["chat_template_sha256"] as? String, templateSHA)
        XCTAssertEqual(declared.settings["chat_template_sha256"] as? String, templateSHA)
        XCTAssertNil(plain.settings["chat_template_sha256"])
    }
}
