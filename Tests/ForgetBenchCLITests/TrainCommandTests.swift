import Foundation
import TestSupport
import XCTest

/// `forgetbench train --full` on stories260K: the loss falls, the model loads back and generates,
/// an interrupted run resumes to the same weights, and bad input is refused.
final class TrainCommandTests: XCTestCase {
    var work: URL!
    override func setUpWithError() throws { work = try scratchDirectory(prefix: "forgetbench-cli") }

    func stories() throws -> String { try CLI.shared().appendingPathComponent("models/stories260K/stories260K.bin").path }

    /// A masked training set of 16 short stories in a style the model does not expect.
    func maskedData() throws -> URL {
        let input = work.appendingPathComponent("train.jsonl")
        var lines = ""
        for i in 0 ..< 16 {
            lines += "{\"prompt\": \"Story \(i): Once upon a time\", \"response\": \" the zebra number \(i) sang loudly about purple rockets.\"}\n"
        }
        try Data(lines.utf8).write(to: input)
        let output = work.appendingPathComponent("train.gt.jsonl")
        let r = try CLI.run(["mask", "--model", stories(), "--input", input.path, "--regime", "ground-truth", "--output", output.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        return output
    }

    func losses(_ stderr: String) -> [Double] {
        stderr.split(separator: "\n").compactMap { line -> Double? in
            guard let r = line.range(of: "loss ") else { return nil }
            return Double(line[r.upperBound...].prefix { !$0.isWhitespace })
        }
    }

    func testFullFineTuningLowersTheLossAndTheModelLoadsBack() throws {
        let data = try maskedData()
        let out = work.appendingPathComponent("tuned")
        let r = try CLI.run(["train", "--model", stories(), "--data", data.path, "--full", "--lr", "3e-3", "--epochs", "6",
                             "--batch-size", "4", "--checkpoint-every", "0", "--output", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let l = losses(r.stderr)
        XCTAssertGreaterThan(l.count, 1, r.stderr)
        XCTAssertLessThan(try XCTUnwrap(l.last), try XCTUnwrap(l.first) * 0.7, "loss should fall: \(l)")
        let g = try CLI.run(["generate", "--model", out.path, "--prompt", "Story 3: Once upon a time", "--max-tokens", "12", "--temperature", "0"])
        XCTAssertEqual(g.status, 0, g.stderr)
        XCTAssertTrue(g.stdout.contains("zebra"), "the tuned model should have learnt the data: \(g.stdout)")
    }

    func testInterruptedRunResumesToTheSameWeights() throws {
        let data = try maskedData()
        let common = ["--model", try stories(), "--data", data.path, "--full", "--lr", "1e-3", "--epochs", "3", "--batch-size", "4", "--checkpoint-every", "2"]
        let straight = work.appendingPathComponent("straight")
        XCTAssertEqual(try CLI.run(["train"] + common + ["--output", straight.path]).status, 0)

        // Kill a second run as soon as its first checkpoint is on disk, then resume it.
        let resumed = work.appendingPathComponent("resumed")
        let process = Process()
        process.executableURL = CLI.productsDirectory.appendingPathComponent("forgetbench")
        process.arguments = ["train"] + common + ["--output", resumed.path]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let state = resumed.appendingPathComponent("checkpoint/trainer.json")
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: state.path), process.isRunning, Date() < deadline { usleep(2000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let again = try CLI.run(["train"] + common + ["--output", resumed.path, "--resume"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try Data(contentsOf: resumed.appendingPathComponent("model.safetensors")),
                       try Data(contentsOf: straight.appendingPathComponent("model.safetensors")))

        let refused = try CLI.run(["train"] + common + ["--output", resumed.path])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("--resume"), refused.stderr)
    }

    func testDataMaskedForAnotherModelIsRefused() throws {
        let data = try maskedData()
        let manifest = work.appendingPathComponent("train.gt.manifest.json")
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: manifest)) as? [String: Any])
        var base = try XCTUnwrap(json["base_model"] as? [String: Any])
        base["sha256"] = String(repeating: "0", count: 64)
        json["base_model"] = base
        try JSONSerialization.data(withJSONObject: json).write(to: manifest)
        let r = try CLI.run(["train", "--model", stories(), "--data", data.path, "--full", "--output", work.appendingPathComponent("x").path])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
    }

    func testLoRATrainingFor50StepsLowersTheLossAndLoadsAsAnAdapter() throws {
        let data = try maskedData()
        let out = work.appendingPathComponent("adapter")
        // 16 examples, batch 4: 4 steps an epoch, 13 epochs = 52 optimiser steps.
        let r = try CLI.run(["train", "--model", stories(), "--data", data.path, "--lora-rank", "4", "--lora-alpha", "8", "--lr", "1e-2",
                             "--epochs", "13", "--batch-size", "4", "--checkpoint-every", "0", "--output", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("52 optimiser steps"), r.stderr)
        let l = losses(r.stderr)
        XCTAssertLessThan(try XCTUnwrap(l.last), try XCTUnwrap(l.first) * 0.5, "loss should fall: \(l)")
        for file in ["adapter_config.json", "adapter_model.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        let g = try CLI.run(["generate", "--model", stories(), "--adapter", out.path, "--prompt", "Story 3: Once upon a time", "--max-tokens", "12", "--temperature", "0"])
        XCTAssertEqual(g.status, 0, g.stderr)
        XCTAssertTrue(g.stdout.contains("zebra"), "the adapter should carry what was learnt: \(g.stdout)")
        let base = try CLI.run(["generate", "--model", stories(), "--prompt", "Story 3: Once upon a time", "--max-tokens", "12", "--temperature", "0"])
        XCTAssertFalse(base.stdout.contains("zebra"), base.stdout)
    }

    func testInvalidLoRADropoutIsRefused() throws {
        let data = try maskedData()
        let r = try CLI.run(["train", "--model", stories(), "--data", data.path, "--lora-dropout", "1.5", "--output", work.appendingPathComponent("x").path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("--lora-dropout"), r.stderr)
    }
}
