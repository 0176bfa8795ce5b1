import Foundation
import XCTest

/// `forgetbench generate` and `forgetbench perplexity` as a user runs them.
final class EngineCommandTests: XCTestCase {
    func stories() throws -> String {
        try CLI.shared().appendingPathComponent("models/stories260K/stories260K.bin").path
    }

    func testGreedyGenerationPrintsRunCGolden() throws {
        let golden = try String(contentsOf: CLI.shared().appendingPathComponent("goldens/stories260K_greedy_n200.txt"), encoding: .utf8)
        let r = try CLI.run(["generate", "--model", stories(), "--prompt", "", "--max-tokens", "200", "--temperature", "0"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, golden + "\n")
    }

    func testPerplexityWritesOneLinePerInput() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.jsonl")
        try Data("""
        {"text": "Once upon a time", "id": "a"}

        {"token_ids": [1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337, 410, 408, 419, 292]}

        """.utf8).write(to: input)
        let output = dir.appendingPathComponent("out.jsonl")
        let r = try CLI.run(["perplexity", "--model", stories(), "--input", input.path, "--output", output.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(first["token_ids"] as? [Int], [1, 403, 407, 261, 378])
        XCTAssertEqual(first["id"] as? String, "a")
        let second = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        let logprobs = try XCTUnwrap(second["logprobs"] as? [Double])
        let perplexities = try XCTUnwrap(second["perplexities"] as? [Double])
        XCTAssertEqual(logprobs.count, 24)
        XCTAssertEqual(try XCTUnwrap(second["mean_nll"] as? Double), 0.139491, accuracy: 1e-5)
        for (l, p) in zip(logprobs, perplexities) { XCTAssertEqual(p, exp(-l), accuracy: 1e-9) }
        // The first four log-probs are those of the first line's prompt.
        XCTAssertEqual(-logprobs.prefix(4).reduce(0, +) / 4, 0.068523, accuracy: 1e-5)
    }

    func assertOneLineError(_ r: CLI.Result, contains fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 1, "exit status", file: file, line: line)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line expected: \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.contains(fragment), "'\(r.stderr)' should mention '\(fragment)'", file: file, line: line)
    }

    func testBadJSONLineNamesFileAndLine() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.jsonl")
        try Data("{\"text\": \"ok\"}\n{\"text\": oops}\n".utf8).write(to: input)
        let output = dir.appendingPathComponent("out.jsonl")
        let r = try CLI.run(["perplexity", "--model", stories(), "--input", input.path, "--output", output.path])
        assertOneLineError(r, contains: "\(input.path):2: not valid JSON")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path), "no partial output")
    }

    func testMissingModelIsOneLineError() throws {
        let r = try CLI.run(["generate", "--model", "/nonexistent/model.bin", "--prompt", "x", "--max-tokens", "3"])
        assertOneLineError(r, contains: "/nonexistent/model.bin: no such file")
    }

    func testCorruptCheckpointIsOneLineError() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Data(contentsOf: URL(fileURLWithPath: stories()))
        let cut = dir.appendingPathComponent("cut.bin")
        try data.prefix(1000).write(to: cut)
        let r = try CLI.run(["generate", "--model", cut.path, "--tokenizer", CLI.shared().appendingPathComponent("models/stories260K/tok512.bin").path,
                             "--prompt", "x", "--max-tokens", "3"])
        assertOneLineError(r, contains: "disagrees with its header")
    }

    func testUsageErrorExitsWithOne() throws {
        let r = try CLI.run(["generate", "--model", stories(), "--prompt", "x", "--top-p", "1.5"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("--top-p"), r.stderr)
    }

    func testHelpListsCommandsAndExitsZero() throws {
        let r = try CLI.run(["--help"])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stdout.contains("generate") && r.stdout.contains("perplexity"), r.stdout)
    }
}

/// `forgetbench mask` as a user runs it.
final class MaskCommandTests: XCTestCase {
    func testMaskWritesLabelsAndManifestAndRefusesBadRegimes() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let model = try CLI.shared().appendingPathComponent("models/stories260K/stories260K.bin").path
        let input = work.appendingPathComponent("train.jsonl")
        try Data("""
        {"prompt": "Once upon a time, there was a", "response": " little girl named Lily. She liked to play."}
        {"messages": [{"role": "user", "content": "Tell me about the dog."}, {"role": "assistant", "content": " The dog was happy and ran in the park."}]}

        """.utf8).write(to: input)
        let output = work.appendingPathComponent("train.stm.jsonl")
        let r = try CLI.run(["mask", "--model", model, "--input", input.path, "--regime", "stm:2.5", "--output", output.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        for line in lines {
            let record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let ids = try XCTUnwrap(record["input_ids"] as? [Int]), labels = try XCTUnwrap(record["labels"] as? [Int])
            XCTAssertEqual(ids.count, labels.count)
            XCTAssertEqual(labels.first, -100)
            for (id, label) in zip(ids, labels) where label != -100 { XCTAssertEqual(label, id) }
        }
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("train.stm.manifest.json"))) as? [String: Any])
        XCTAssertEqual(manifest["regime"] as? String, "stm:2.5")

        for (regime, fragment) in [("stm:1", "TAU"), ("stmm:2.5", "ground-truth")] {
            let bad = try CLI.run(["mask", "--model", model, "--input", input.path, "--regime", regime, "--output", work.appendingPathComponent("x.jsonl").path])
            XCTAssertEqual(bad.status, 1, regime)
            XCTAssertEqual(bad.stderr.split(separator: "\n").count, 1, bad.stderr)
            XCTAssertTrue(bad.stderr.contains(fragment), bad.stderr)
        }
        try Data("{\"prompt\": \"x\"}\n".utf8).write(to: input)
        let missing = try CLI.run(["mask", "--model", model, "--input", input.path, "--regime", "ground-truth", "--output", work.appendingPathComponent("y.jsonl").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("\(input.path):1"), missing.stderr)
    }
}
