import Foundation
import XCTest

/// `forgetbench mask --model openai:URL --model-name M --tokenizer FILE` scores a training set on a
/// served model (token-id prompts, echoed log-probs), the way a user masks data for a model too big
/// for the built-in engine. Against `forgetbench serve` of the same checkpoint it equals
/// in-process masking: the same ids and labels, log-probs within 1e-4.
final class MaskThroughServerTests: XCTestCase {
    var work: URL!
    var server: Process?

    override func setUpWithError() throws { work = try CLI.temporaryDirectory() }

    override func tearDownWithError() throws {
        if let server, server.isRunning { server.terminate(); server.waitUntilExit() }
        try? FileManager.default.removeItem(at: work)
    }

    func testMaskThroughServeEqualsInProcess() throws {
        let shared = try CLI.shared().appendingPathComponent("models/stories260K")
        let input = work.appendingPathComponent("train.jsonl")
        let stories = ["Once upon a time, there was a little girl named Lily.", "Tom had a big red ball.", "The cat was sad.",
                       "One day, a bird flew over the tree.", "The sun was hot and the sky was blue."]
        let text = stories.enumerated().map { i, prompt in
            #"{"id": "s\#(i)", "prompt": "\#(prompt)", "response": " She went to the park with her dog and they played all day."}"#
        }.joined(separator: "\n")
        try Data(text.utf8).write(to: input)
        let common = ["--input", input.path, "--regime", "stm:2.5", "--no-cache"]
        let local = work.appendingPathComponent("local.jsonl")
        let r0 = try CLI.run(["mask", "--model", shared.appendingPathComponent("stories260K.bin").path, "--output", local.path] + common)
        XCTAssertEqual(r0.status, 0, r0.stderr)

        let started = try CLI.startServer(["--model", shared.appendingPathComponent("stories260K.bin").path, "--port", "0"])
        server = started.process
        let url = started.url
        let remote = work.appendingPathComponent("remote.jsonl")
        let r1 = try CLI.run(["mask", "--model", "openai:\(url)", "--model-name", "stories260K", "--eval-batch-size", "2",
                              "--tokenizer", shared.appendingPathComponent("tok512.bin").path, "--output", remote.path] + common)
        XCTAssertEqual(r1.status, 0, r1.stderr)

        let (a, b) = (try CLI.jsonLines(local), try CLI.jsonLines(remote))
        XCTAssertEqual(a.count, stories.count)
        XCTAssertEqual(a.count, b.count)
        var largest = 0.0, masked = 0
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x["input_ids"] as? [Int], y["input_ids"] as? [Int])
            XCTAssertEqual(x["labels"] as? [Int], y["labels"] as? [Int], "the same tokens are masked")
            let (px, py) = (x["ppl"] as? [Any] ?? [], y["ppl"] as? [Any] ?? [])
            XCTAssertEqual(px.count, py.count)
            for (u, v) in zip(px, py) {
                guard let u = (u as? NSNumber)?.doubleValue, let v = (v as? NSNumber)?.doubleValue else { continue }
                largest = max(largest, abs(log(u) - log(v)))
            }
            masked += (x["labels"] as? [Int] ?? []).filter { $0 == -100 }.count
        }
        XCTAssertLessThan(largest, 1e-4, "log-probs agree within 1e-4")
        XCTAssertGreaterThan(masked, 0)
        // The manifest names the served model, whose fingerprint the server reports.
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("remote.manifest.json"))) as? [String: Any])
        XCTAssertNotNil(manifest["tokenizer_sha256"] as? String)

        // Another tokenizer than the server's is caught before any id is sent (its /tokenize).
        let other = CLI.repositoryRoot.appendingPathComponent("Tests/Fixtures/hftrainer/tiny_llama/tokenizer.json")
        let r3 = try CLI.run(["mask", "--model", "openai:\(url)", "--model-name", "stories260K", "--tokenizer", other.path,
                              "--output", work.appendingPathComponent("y.jsonl").path] + common)
        XCTAssertEqual(r3.status, 1)
        XCTAssertTrue(r3.stderr.contains("the server's tokenizer is not the one given"), r3.stderr)

        // Without --tokenizer the ids cannot be made: one clear line.
        let r2 = try CLI.run(["mask", "--model", "openai:\(url)", "--model-name", "stories260K", "--output", work.appendingPathComponent("x.jsonl").path] + common)
        XCTAssertEqual(r2.status, 1)
        XCTAssertTrue(r2.stderr.contains("needs --tokenizer"), r2.stderr)
    }
}
