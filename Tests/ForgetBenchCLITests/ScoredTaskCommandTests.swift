import Foundation
import TestSupport
import XCTest

/// `forgetbench eval` on the tasks scored by equivalence or execution (`math500`, `geoquery`)
/// and by per-choice contexts (`winogrande`), and `tasks training-set` on their training splits,
/// end to end on stories260K (its scores are near 0; the point is the pipeline).
final class ScoredTaskCommandTests: XCTestCase {
    var work: URL!

    override func setUpWithError() throws { work = try scratchDirectory(prefix: "forgetbench-cli") }

    func testEvalWritesSamplesWithOutcomesAndWilsonIntervals() throws {
        let out = work.appendingPathComponent("run")
        let r = try CLI.evalStories260K(tasks: "math500,geoquery,winogrande", limit: 6, output: out)
        XCTAssertEqual(r.status, 0, r.stderr)
        let math = try CLI.jsonLines(out.appendingPathComponent("samples/math500.jsonl"))
        XCTAssertEqual(math.count, 6)
        for sample in math {
            XCTAssertTrue(["equivalent", "not_equivalent", "no_answer"].contains(sample["outcome"] as? String ?? ""), "\(sample)")
            XCTAssertNotNil(sample["extractedAnswer"])
        }
        let sql = try CLI.jsonLines(out.appendingPathComponent("samples/geoquery.jsonl"))
        XCTAssertEqual(sql.count, 6)
        for sample in sql {
            let outcome = try XCTUnwrap(sample["outcome"] as? String)
            XCTAssertTrue(["correct", "wrong_result", "no_answer", "timeout", "row_limit"].contains(outcome)
                          || outcome.hasPrefix("error: ") || outcome.hasPrefix("refused: "), outcome)
        }
        XCTAssertEqual(try CLI.jsonLines(out.appendingPathComponent("samples/winogrande.jsonl")).count, 6)
        let results = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("results.json"))) as? [String: Any])
        for task in try XCTUnwrap(results["tasks"] as? [[String: Any]]) {
            for metric in try XCTUnwrap(task["metrics"] as? [[String: Any]]) {
                XCTAssertEqual(metric["intervalKind"] as? String, "wilson", "\(task["name"] ?? "")")
                let ci = try XCTUnwrap(metric["interval95"] as? [Double])
                XCTAssertTrue(ci[0] >= 0 && ci[1] <= 1 && ci[0] <= ci[1], "\(ci)")
            }
        }
    }

    func testTrainingSetOfMath500() throws {
        let shared = try CLI.shared()
        let items = try CLI.trainingSet("math500", limit: 5, output: work.appendingPathComponent("train.jsonl"))
        // Training items are named by the task's id template: MATH's unique_id, in file order.
        let records = try String(contentsOf: shared.appendingPathComponent("data/math/train.jsonl"), encoding: .utf8)
            .split(separator: "\n").prefix(5)
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(items.map { $0["id"] as? String }, records.map { $0?["unique_id"] as? String })
        for item in items {
            XCTAssertTrue((item["response"] as? String ?? "").contains("\\boxed"))
            XCTAssertTrue((item["prompt"] as? String ?? "").hasSuffix("\nSolution:"))
        }
        let notTrainable = try CLI.run(["tasks", "training-set", "winogrande", "--data-dir", shared.appendingPathComponent("data").path,
                                        "--output", work.appendingPathComponent("w.jsonl").path])
        XCTAssertEqual(notTrainable.status, 1)
        XCTAssertTrue(notTrainable.stderr.contains("has no training split"), notTrainable.stderr)
    }
}
