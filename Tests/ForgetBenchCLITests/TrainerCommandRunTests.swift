import Foundation
import TestSupport
import XCTest

/// `forgetbench run` with `training.trainer: command`: the external trainer (here a shell script that
/// runs the built-in trainer through `forgetbench train`, and fails for one regime while a marker file
/// exists) trains each candidate; the failing regime is reported in report.md and as an error in
/// junit.xml while the others are evaluated; a rerun retries only the failed one.
final class TrainerCommandRunTests: XCTestCase {
    var work: URL!
    override func setUpWithError() throws { work = try scratchDirectory(prefix: "forgetbench-cli") }

    func writeSpec(marker: URL) throws -> String {
        let model = try CLI.toyBase()
        let script = work.appendingPathComponent("trainer.sh")
        try Data("""
        #!/bin/sh
        # trainer.sh FORGETBENCH DATA BASE OUTPUT SETTINGS MARKER
        [ -s "$5" ] || { echo "no settings file" >&2; exit 3; }
        case "$2" in *random*) if [ -e "$6" ]; then echo "simulated trainer failure for $2" >&2; exit 1; fi;; esac
        exec "$1" train --model "$3" --data "$2" --output "$4" --lr 2e-3 --epochs 1 --batch-size 4 --checkpoint-every 0

        """.utf8).write(to: script)
        let forgetbench = CLI.productsDirectory.appendingPathComponent("forgetbench").path
        let text = """
        name: trainer-command-test
        model: {path: \(model.path), chat_format: plain}
        training_data: {task: toy_subtract, limit: 16}
        regimes: [ground-truth, "random:matched", "stm:2.5"]
        training:
          trainer: command
          command: "sh \(script.path) \(forgetbench) {data} {base} {output} {settings} \(marker.path)"
        target_tasks: [toy_subtract]
        non_target_tasks: [toy_max]
        evaluation: {limit: 16}
        seeds: [1]

        """
        let url = work.appendingPathComponent("spec.yaml")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func regimes(_ run: URL) throws -> [String] {
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("results.json"))) as? [String: Any])
        return try XCTUnwrap(json["regimes"] as? [[String: Any]]).compactMap { $0["regime"] as? String }
    }

    /// How many times the trainer was started for `slug` (one `$ ` command line per start in its log).
    func starts(_ run: URL, _ slug: String) throws -> Int {
        let log = try String(contentsOf: run.appendingPathComponent("candidates/\(slug)/seed-1/model/trainer.log"), encoding: .utf8)
        return log.split(separator: "\n").count { $0.hasPrefix("$ ") }
    }

    func testAFailingTrainerIsReportedAndOnlyItIsRetried() throws {
        let marker = work.appendingPathComponent("fail-random")
        try Data().write(to: marker)
        let spec = try writeSpec(marker: marker)
        let run = work.appendingPathComponent("run")

        let first = try CLI.run(["run", spec, "--output", run.path, "--quiet"])
        XCTAssertEqual(first.status, 1, first.stderr + first.stdout)
        XCTAssertEqual(try regimes(run), ["ground-truth", "stm:2.5"])
        let report = try String(contentsOf: run.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("## Failed training"), report)
        XCTAssertTrue(report.contains("random:matched seed 1: the trainer exited with status 1"), report)
        XCTAssertTrue(report.contains("simulated trainer failure"), report)
        let junit = try String(contentsOf: run.appendingPathComponent("junit.xml"), encoding: .utf8)
        XCTAssertTrue(junit.contains("<testsuite name=\"regime random:matched\""), junit)
        XCTAssertTrue(junit.contains("<error message=\"random:matched seed 1: the trainer exited with status 1\""), junit)
        XCTAssertTrue(first.stdout.contains("random:matched seed 1: training failed (exit status 1)"), first.stdout)
        let settings = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("candidates/ground-truth/seed-1/model/trainer-settings.json"))) as? [String: Any])
        XCTAssertEqual(settings["method"] as? String, "lora")
        XCTAssertEqual(settings["seed"] as? Int, 1)

        // The dry run sees what is done.
        let plan = try CLI.run(["run", "--dry-run", spec, "--output", run.path])
        XCTAssertEqual(plan.status, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("ground-truth seed 1 [trained and evaluated]: sh "), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("random:matched seed 1 [to do]: sh "), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("the base evaluation, 2 of 3 candidates trained, 2 evaluated"), plan.stdout)

        try FileManager.default.removeItem(at: marker)
        let second = try CLI.run(["run", spec, "--output", run.path, "--quiet"])
        XCTAssertEqual(second.status, 0, second.stderr + second.stdout)
        XCTAssertEqual(try regimes(run), ["ground-truth", "random:matched", "stm:2.5"])
        XCTAssertEqual(try starts(run, "ground-truth"), 1, "a finished candidate is not trained again")
        XCTAssertEqual(try starts(run, "stm-2.5"), 1)
        XCTAssertEqual(try starts(run, "random-matched"), 2, "the failed candidate is retried")
        let report2 = try String(contentsOf: run.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertFalse(report2.contains("Failed training"), report2)
        XCTAssertFalse(try String(contentsOf: run.appendingPathComponent("junit.xml"), encoding: .utf8).contains("<error"))
    }

    func testACommandTrainerWithoutACommandIsRefusedWithItsLine() throws {
        let url = work.appendingPathComponent("bad.yaml")
        try Data("""
        name: bad
        model: {path: x}
        training_data: {task: toy_subtract}
        regimes: [ground-truth]
        training:
          trainer: command
          comand: "python train.py"
        target_tasks: [toy_subtract]
        non_target_tasks: [toy_max]

        """.utf8).write(to: url)
        let r = try CLI.run(["run", url.path, "--output", work.appendingPathComponent("out").path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("bad.yaml:7"), r.stderr)
        XCTAssertTrue(r.stderr.contains("comand"), r.stderr)
    }
}
