import Foundation
@testable import Runner
import XCTest

/// The spec rules of the regimes that need more than the base's scores: `dpf` / `stm+dpf` need the
/// ground-truth candidate of the same run; `soft` needs the built-in trainer (it reads the weights).
final class ReferenceRegimeSpecTests: XCTestCase {
    private func parse(regimes: String, training: String = "") throws -> ExperimentSpecParser.Parsed {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("refspec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("spec.yaml")
        try Data("""
        name: s
        model: {path: m, chat_format: plain}
        training_data: {task: toy_subtract, limit: 10}
        regimes: \(regimes)
        \(training)
        target_tasks: [toy_subtract]
        non_target_tasks: [toy_reverse]

        """.utf8).write(to: path)
        return try ExperimentSpecParser.parse(fileAt: path.path)
    }

    func testDPFNeedsTheGroundTruthRegime() throws {
        XCTAssertEqual(try parse(regimes: "[ground-truth, \"dpf:0\", \"stm+dpf:2.5\", soft]").spec.regimes, ["ground-truth", "dpf:0", "stm+dpf:2.5", "soft"])
        for regimes in ["[\"dpf:0\"]", "[\"stm:2.5\", \"stm+dpf\"]"] {
            XCTAssertThrowsError(try parse(regimes: regimes), regimes) { error in
                XCTAssertTrue("\(error)".contains("spec.yaml:4") && "\(error)".contains("add ground-truth to 'regimes'"), "\(error)")
            }
        }
    }

    /// `soft` trains with a trainer command too: its lines carry `weights`, which integrations/hf/train.py
    /// applies (HFTrainerParityTests.testSoftSetLossCurveMatchesTheBuiltInTrainer).
    func testSoftTrainsWithATrainerCommandToo() throws {
        let command = "training: {trainer: command, command: \"python train.py --data {data} --settings {settings} --model {base} --output {output}\"}"
        let parsed = try parse(regimes: "[ground-truth, soft]", training: command)
        XCTAssertEqual(parsed.spec.regimes, ["ground-truth", "soft"])
        XCTAssertEqual(parsed.spec.training.trainer, "command")
    }
}
