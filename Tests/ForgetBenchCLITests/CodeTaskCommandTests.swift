import Foundation
import TestSupport
import XCTest

/// `forgetbench eval` on the code-execution tasks end to end (stories260K writes no working
/// Python: the point is the pipeline), and `tasks training-set mbpp`.
final class CodeTaskCommandTests: XCTestCase {
    var work: URL!

    override func setUpWithError() throws { work = try scratchDirectory(prefix: "forgetbench-cli") }

    func testEvalRunsMBPPAndHumanEvalAndRecordsOutcomes() throws {
        let output = work.appendingPathComponent("code")
        let r = try CLI.evalStories260K(tasks: "mbpp,humaneval", limit: 3, output: output, extra: ["--code-workers", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let kinds: Set = ["passed", "failed_assertion", "syntax_error", "runtime_error", "timeout", "memory", "output_limit", "sandbox_refused"]
        for task in ["mbpp", "humaneval"] {
            let samples = try CLI.jsonLines(output.appendingPathComponent("samples/\(task).jsonl"))
            XCTAssertEqual(samples.count, 3, task)
            for sample in samples {
                let outcome = try XCTUnwrap(sample["outcome"] as? String, task)
                XCTAssertTrue(kinds.contains(String(outcome.prefix { $0 != ":" })), outcome)
                XCTAssertNotEqual(outcome.prefix { $0 != ":" }, "sandbox_refused", outcome)
                let values = try XCTUnwrap(sample["values"] as? [String: Double])
                XCTAssertEqual(values["samples"], 1)
                XCTAssertNotNil(values["pass@1"])
            }
            XCTAssertTrue(r.stdout.contains("\(task) (n=3): pass@1"), r.stdout)
        }
    }

    func testTrainingSetOfMBPPHoldsTheReferenceCode() throws {
        let records = try CLI.trainingSet("mbpp", limit: 3, output: work.appendingPathComponent("train.jsonl"))
        XCTAssertEqual(records.count, 3)
        let first = try XCTUnwrap(records[0] as? [String: String])
        XCTAssertEqual(first["id"], "601")
        XCTAssertTrue(first["prompt"]?.contains(">>> Problem:\nWrite a function to find the longest chain") == true, first["prompt"] ?? "")
        XCTAssertTrue(first["response"]?.hasPrefix("```python\nclass Pair(object):") == true, first["response"] ?? "")
    }

    func testBadWorkerCountIsAUsageError() throws {
        let r = try CLI.run(["eval", "--model", "x.bin", "--tasks", "mbpp", "--code-workers", "0", "--output", work.path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--code-workers must be between 1 and 256"), r.stderr)
    }
}
