import Foundation
import Harness
import Metrics
import XCTest
@testable import Runner

final class EvaluatorTests: XCTestCase {
    func testAccuracyAndStandardErrorMatchClosedForm() async throws {
        // 7 of 10 right: mean 0.7, sample sd sqrt(0.7·0.3·10/9), SE = sd/sqrt(10).
        let run = try await RunnerFixtures.run(n: 10, correct: { $0 < 7 })
        let acc = try XCTUnwrap(run.results.tasks[0].metric("acc"))
        XCTAssertEqual(acc.value, 0.7, accuracy: 1e-12)
        let se = (0.7 * 0.3 * 10 / 9).squareRoot() / 10.0.squareRoot()
        XCTAssertEqual(try XCTUnwrap(acc.standardError), se, accuracy: 1e-12)
        // 0/1 items: the Wilson interval, (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n).
        let z = 1.959963984540054, n = 10.0, p = 0.7
        let centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        let half = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot() / (1 + z * z / n)
        XCTAssertEqual(try XCTUnwrap(acc.interval95)[0], centre - half, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(acc.interval95)[1], centre + half, accuracy: 1e-12)
        XCTAssertEqual(acc.intervalKind, .wilson)
        XCTAssertEqual(run.samples["fixed_mc"]?.count, 10)
        XCTAssertEqual(run.samples["fixed_mc"]?[0].promptSHA256, ContentHash.sha256("Q0"))
    }

    func testPerChoiceContextsAreScoredEachAfterItsOwnContext() async throws {
        // Winogrande's shape: the same continuation after two contexts; the table model only
        // knows the (context, continuation) pairs, so a shared prompt would score -10 for both.
        let item = TaskInstance(id: "w0", prompt: "", target: "B x", choices: [" x", " x"], goldIndex: 1, choiceContexts: ["A", "B"])
        let model = TableModel(table: ["A| x": -4, "B| x": -1])
        let (result, samples) = try await Evaluator(model: model, limit: nil, seed: 1).evaluate(FixedChoiceTask(items: [item]))
        XCTAssertEqual(result.metric("acc")?.value, 1)
        guard case let .choices(answers) = samples[0].response else { return XCTFail("\(samples[0].response)") }
        XCTAssertEqual(answers.map(\.logLikelihood), [-4, -1])
        XCTAssertEqual(samples[0].promptSHA256, ContentHash.sha256("A\u{1E}B"))
    }

    func testLimitKeepsTheFirstItems() async throws {
        let items = (0 ..< 5).map { TaskInstance(id: "\($0)", prompt: "Q\($0)", target: "A", choices: ["A", "B"], goldIndex: 0) }
        let evaluator = Evaluator(model: TableModel(table: [:]), limit: 3, seed: 1)
        let (result, samples) = try await evaluator.evaluate(FixedChoiceTask(items: items))
        XCTAssertEqual(result.itemCount, 3)
        XCTAssertEqual(samples.map(\.id), ["0", "1", "2"])
    }

    func testResultsRoundTripThroughTheRunDirectory() async throws {
        let run = try await RunnerFixtures.run(n: 6, correct: { $0 % 2 == 0 })
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runner-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try RunDirectory.write(results: run.results, samples: run.samples, report: "# r\n", junit: Data("<testsuites/>".utf8), to: dir)
        let loaded = try RunDirectory.load(dir)
        XCTAssertEqual(loaded.results, run.results)
        XCTAssertEqual(loaded.samples["fixed_mc"], run.samples["fixed_mc"])
    }

    func testLoadingSomethingElseNamesTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try RunDirectory.load(dir)) { XCTAssertTrue("\($0)".contains("results.json: missing")) }
        try Data("{\"schemaVersion\": 1}".utf8).write(to: dir.appendingPathComponent("results.json"))
        XCTAssertThrowsError(try RunDirectory.load(dir)) { XCTAssertTrue("\($0)".contains("not a ForgetBench results file")) }
    }
}
