import Foundation
import Harness
import Metrics
import TestSupport
import XCTest
@testable import Runner

/// `compare` lists the items that flipped: exactly the items whose 0/1 value changed, each way,
/// with counts equal to McNemar's b and c in the same report.
final class ItemFlipTests: XCTestCase {
    var work: URL!
    override func setUpWithError() throws { work = try scratchDirectory(prefix: "forgetbench-leaderboard") }

    func testFlipsAreTheItemsThatChangedAndTheirCountsAreMcNemarsBAndC() throws {
        let n = 120
        let before = ConstructedRuns.outcomes(n, p: 0.7, seed: 11)
        let after = ConstructedRuns.outcomes(n, p: 0.55, seed: 12)
        let base = try ConstructedRuns.write(model: "a", source: "base", tasks: [
            .init(name: "facts", correct: before, answers: before.indices.map { "b\($0)" },
                  prompts: before.indices.map { "Q: one?\nA: 1\n\nQ: what is item \($0)?\nA:" }, targets: before.indices.map { "t\($0)" }),
        ], to: work.appendingPathComponent("base"))
        let candidate = try ConstructedRuns.write(model: "b", source: "tuned", tasks: [
            .init(name: "facts", correct: after, answers: after.indices.map { "c\($0)" },
                  prompts: before.indices.map { "Q: one?\nA: 1\n\nQ: what is item \($0)?\nA:" }, targets: before.indices.map { "t\($0)" }),
        ], to: work.appendingPathComponent("tuned"))
        let comparison = try Comparator(targetTasks: [], gates: GateConfiguration()).compare(base: base, candidate: candidate)
        let metric = try XCTUnwrap(comparison.tasks.first?.metrics.first)

        // The items that changed, computed here from the outcomes.
        let lost = before.indices.filter { before[$0] && !after[$0] }.map(String.init)
        let gained = before.indices.filter { !before[$0] && after[$0] }.map(String.init)
        XCTAssertFalse(lost.isEmpty)
        XCTAssertFalse(gained.isEmpty)
        XCTAssertEqual(metric.flips(.rightToWrong).map(\.id), lost)
        XCTAssertEqual(metric.flips(.wrongToRight).map(\.id), gained)
        // McNemar's b and c from the test itself, and in the comparison.
        let mcnemar = try McNemarTest(base: before, candidate: after)
        XCTAssertEqual(mcnemar.baseOnlyCorrect, lost.count)
        XCTAssertEqual(mcnemar.candidateOnlyCorrect, gained.count)
        XCTAssertEqual(metric.baseOnlyCorrect, mcnemar.baseOnlyCorrect)
        XCTAssertEqual(metric.candidateOnlyCorrect, mcnemar.candidateOnlyCorrect)
        XCTAssertEqual(metric.pValue, mcnemar.pValue, accuracy: 1e-15)
        // Each flip carries the item's own question (after the few-shot block), both answers and the target.
        let first = try XCTUnwrap(metric.flips?.first)
        let i = Int(first.id)!
        XCTAssertEqual(first.prompt, "Q: what is item \(i)?")
        XCTAssertEqual(first.baseAnswer, "b\(i)")
        XCTAssertEqual(first.candidateAnswer, "c\(i)")
        XCTAssertEqual(first.target, "t\(i)")

        // report.md: the counts row equals b and c; the first N flips are listed.
        let out = work.appendingPathComponent("compare")
        try ComparisonReport.write(comparison, to: out, flips: 3)
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        let countsRow = try XCTUnwrap(report.split(separator: "\n").first { $0.hasPrefix("| facts | exact\\_match |") })
        let cells = countsRow.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(cells[2], "\(lost.count)")
        XCTAssertEqual(cells[3], "\(gained.count)")
        XCTAssertEqual(cells[4], "\(mcnemar.baseOnlyCorrect)")
        XCTAssertEqual(cells[5], "\(mcnemar.candidateOnlyCorrect)")
        XCTAssertTrue(report.contains("facts exact_match: 3 of \(lost.count + gained.count) flipped items"), report)
        let listed = report.split(separator: "\n").filter { $0.hasPrefix("| `") }
        XCTAssertEqual(listed.map { String($0.split(separator: "`")[1]) }, Array(lost.prefix(3)))
        // comparison.json keeps every flip.
        let decoded = try RunDirectory.decoder().decode(ComparisonResults.self, from: Data(contentsOf: out.appendingPathComponent("comparison.json")))
        XCTAssertEqual(decoded.tasks[0].metrics[0].flips, metric.flips)
        XCTAssertEqual(decoded.tasks[0].contentHash, "hash-1")
    }

    func testNoFlipsWhenNothingChangedAndNoneForContinuousMetrics() throws {
        let outcomes = ConstructedRuns.outcomes(40, p: 0.5, seed: 3)
        let run = try ConstructedRuns.write(model: "a", source: "m", tasks: [.init(name: "t", correct: outcomes)], to: work.appendingPathComponent("a"))
        let same = try Comparator(targetTasks: [], gates: GateConfiguration()).compare(base: run, candidate: run)
        XCTAssertEqual(same.tasks[0].metrics[0].flips, [])
        XCTAssertEqual(same.tasks[0].metrics[0].baseOnlyCorrect, 0)
        let base = SampleRecord(id: "1", promptSHA256: "x", target: "", response: .rolling(RollingLoglikelihoodResponse(logLikelihood: -3, tokenCount: 2)),
                                extractedAnswer: nil, values: ["loglikelihood": -3])
        var other = base
        other.values["loglikelihood"] = -4
        XCTAssertNil(ItemFlip.between(base: base, candidate: other, metric: "loglikelihood"))
    }

    func testPromptExcerptIsTheFirstLineOfTheLastBlock() {
        XCTAssertEqual(ItemFlip.promptExcerpt("Q: 53-27?\nA:"), "Q: 53-27?")
        XCTAssertEqual(ItemFlip.promptExcerpt("Q: a\nA: b\n\nQ: c\nA: d\n\n\nQuestion: last one\nAnswer:"), "Question: last one")
        XCTAssertEqual(ItemFlip.promptExcerpt(String(repeating: "x", count: 500)).count, ItemFlip.excerptLength)
    }
}
