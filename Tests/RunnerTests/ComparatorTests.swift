import Foundation
import Harness
import Metrics
import XCTest
@testable import Runner

final class ComparatorTests: XCTestCase {
    func testComparingARunWithItselfChangesNothingAndPasses() async throws {
        let run = try await RunnerFixtures.run(n: 40, correct: { $0 % 3 != 0 })
        let result = try Comparator(targetTasks: [], gates: GateConfiguration()).compare(base: run, candidate: run)
        let m = try XCTUnwrap(result.tasks.first?.metrics.first)
        XCTAssertEqual(m.difference, 0)
        XCTAssertEqual(m.pValue, 1)
        XCTAssertEqual(result.gates.map(\.outcome), [.pass])
        XCTAssertEqual(result.exitCode(strict: true), 0)
        XCTAssertEqual(result.deltas.backwardTransfer, 0)
    }

    func testRegressionIsExactMcNemarAndFailsATightGate() async throws {
        // Base right on 0..<60, candidate right on 0..<30 of 100 items: b = 30, c = 0.
        let base = try await RunnerFixtures.run(n: 100, correct: { $0 < 60 })
        let candidate = try await RunnerFixtures.run(n: 100, correct: { $0 < 30 })
        let result = try Comparator(targetTasks: [], gates: GateConfiguration(defaultRule: .init(task: nil, metric: nil, margin: .points(1), alpha: 0.05)))
            .compare(base: base, candidate: candidate)
        let m = try XCTUnwrap(result.tasks.first?.metrics.first)
        XCTAssertEqual(m.test, "exact_mcnemar")
        XCTAssertEqual(m.difference, -0.3, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(m.differencePoints), -30, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(m.relativeChangePercent), -50, accuracy: 1e-9)
        XCTAssertEqual(m.pValue, McNemarTest.exactPValue(b: 30, c: 0), accuracy: 1e-15)
        XCTAssertEqual(m.pValue, 2 * pow(0.5, 30), accuracy: 1e-20)
        XCTAssertEqual(result.gates.first?.outcome, .fail)
        XCTAssertEqual(result.exitCode(strict: false), 2)
        XCTAssertEqual(try XCTUnwrap(result.deltas.backwardTransfer), -50, accuracy: 1e-9)
    }

    func testTargetTasksAreReportedAsTIAndLeftOutOfHolm() async throws {
        let base = try await RunnerFixtures.run(n: 50, correct: { $0 < 20 })
        let candidate = try await RunnerFixtures.run(n: 50, correct: { $0 < 30 })
        let result = try Comparator(targetTasks: ["fixed_mc"], gates: GateConfiguration()).compare(base: base, candidate: candidate)
        XCTAssertEqual(result.tasks.first?.role, .target)
        XCTAssertEqual(try XCTUnwrap(result.deltas.targetImprovement), 50, accuracy: 1e-9)
        XCTAssertNil(result.deltas.backwardTransfer)
        XCTAssertEqual(result.tasks[0].metrics[0].adjustedPValue, result.tasks[0].metrics[0].pValue)
        XCTAssertEqual(result.gates.first?.outcome, .improved)
    }

    func testRefusesRunsOfDifferentTaskVersions() async throws {
        let base = try await RunnerFixtures.run(n: 5, correct: { _ in true })
        var other = FixedChoiceTask(items: [])
        other.version = "2"
        let candidate = try await RunnerFixtures.run(n: 5, correct: { _ in true }, task: other)
        XCTAssertThrowsError(try Comparator(targetTasks: [], gates: GateConfiguration()).compare(base: base, candidate: candidate)) {
            XCTAssertTrue("\($0)".contains("version 1 in the base run but 2"), "\($0)")
        }
        var rehashed = FixedChoiceTask(items: [])
        rehashed.contentHash = "hash-2"
        let third = try await RunnerFixtures.run(n: 5, correct: { _ in true }, task: rehashed)
        XCTAssertThrowsError(try Comparator(targetTasks: [], gates: GateConfiguration()).compare(base: base, candidate: third)) {
            XCTAssertTrue("\($0)".contains("different content hash"), "\($0)")
        }
    }

    func testRefusesAMissingTargetTask() async throws {
        let run = try await RunnerFixtures.run(n: 5, correct: { _ in true })
        XCTAssertThrowsError(try Comparator(targetTasks: ["gsm8k"], gates: GateConfiguration()).compare(base: run, candidate: run)) {
            XCTAssertTrue("\($0)".contains("target task 'gsm8k' is not in the base run"), "\($0)")
        }
    }

    func testGatesFileErrorsNameLineAndSuggest() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("gates.yaml")
        try "default:\n  alpha: 0.01\ngates:\n  - task: arc_easy\n    metric: acc\n    margin_pionts: 2\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try GateConfiguration.load(path: file.path)) {
            XCTAssertEqual("\($0)", "\(file.path):6: unknown key 'margin_pionts' (did you mean 'margin_points'?); expected task, metric, margin_points, margin_percent, margin_absolute, alpha")
        }
        try "default:\n  alpha: 0.01\n  margin_percent: 5\ngates:\n  - task: arc_easy\n    margin_points: 2\n".write(to: file, atomically: true, encoding: .utf8)
        let configuration = try GateConfiguration.load(path: file.path)
        XCTAssertEqual(try configuration.gate(task: "arc_easy", metric: "acc", direction: .higherIsBetter)?.margin, .points(2))
        XCTAssertEqual(try configuration.gate(task: "gsm8k", metric: "acc", direction: .higherIsBetter)?.margin, .relative(5))
        XCTAssertEqual(try configuration.gate(task: "gsm8k", metric: "acc", direction: .higherIsBetter)?.alpha, 0.01)
    }
}
