import Foundation
import XCTest

/// The toy world through the command line: its training set, its model, `pretrain`.
final class ToyWorldCommandTests: XCTestCase {
    var toyBase: String { CLI.repositoryRoot.appendingPathComponent("models/toy-base").path }

    func testTrainingSetWritesTheAnnotatorsGroundTruth() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let out = work.appendingPathComponent("train.jsonl").path
        let r = try CLI.run(["tasks", "training-set", "toy_subtract", "--limit", "3", "--output", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        for line in lines {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
            XCTAssertTrue(object["prompt"]!.hasPrefix("Q: ") && object["prompt"]!.hasSuffix("\nA:"), "\(object)")
            XCTAssertTrue(object["response"]!.contains(where: \.isLetter), "\(object)")
        }
        let notTrainable = try CLI.run(["tasks", "training-set", "synthetic_addition", "--output", out])
        XCTAssertEqual(notTrainable.status, 1)
        XCTAssertTrue(notTrainable.stderr.contains("training split"), notTrainable.stderr)
    }

    func testToyBaseEvaluatesAndPretrainWritesAModel() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let eval = try CLI.run(["eval", "--model", toyBase, "--tasks", "toy_facts,toy_max", "--limit", "10",
                                "--output", work.appendingPathComponent("eval").path])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertTrue(eval.stdout.contains("toy_facts (n=10): exact_match 1.0000"), eval.stdout)
        // 10 of 10 correct: the printed interval is Wilson's, whose lower end is n / (n + z²).
        let z = 1.959963984540054
        let wilsonLower = String(format: "%.4f", 10 / (10 + z * z))
        XCTAssertTrue(eval.stdout.contains("exact_match 1.0000 [\(wilsonLower), 1.0000] wilson"), eval.stdout)

        let model = work.appendingPathComponent("model").path
        let pretrain = try CLI.run(["pretrain", "--output", model, "--steps", "2", "--batch-size", "2", "--warmup", "1"])
        XCTAssertEqual(pretrain.status, 0, pretrain.stderr)
        XCTAssertTrue(pretrain.stderr.contains("step 2/2"), pretrain.stderr)
        for name in ["config.json", "model.safetensors", "tokenizer.json", "pretrain.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: model + "/" + name), name)
        }
        let bad = try CLI.run(["pretrain", "--output", model, "--steps", "0"])
        XCTAssertEqual(bad.status, 1)
    }
}
