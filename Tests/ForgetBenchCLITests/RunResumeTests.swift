import Foundation
import TestSupport
import XCTest

/// `forgetbench run` is durable: a run killed with SIGKILL during training and again during a
/// candidate's evaluation, then rerun, finishes with the results of an uninterrupted run, and the
/// rerun reuses what was finished (the base evaluation, trained candidates, cached answers).
final class RunResumeTests: XCTestCase {
    var work: URL!

    override func setUpWithError() throws { work = try scratchDirectory(prefix: "forgetbench-cli") }

    /// A small experiment in the toy world (fast enough for a debug build).
    func writeSpec() throws -> String {
        let model = try CLI.toyBase()
        let text = """
        name: resume-test
        model: {path: \(model.path), chat_format: plain}
        training_data: {task: toy_subtract, limit: 48}
        regimes: [ground-truth, "stm:2.5"]
        training: {lr: 2e-3, epochs: 3, batch_size: 4, checkpoint_every: 1}
        target_tasks: [toy_subtract]
        non_target_tasks: [toy_reverse, toy_max]
        evaluation: {limit: 48}
        seeds: [1]

        """
        let url = work.appendingPathComponent("spec.yaml")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// Starts `forgetbench run`, waits until `ready()` holds, then kills it with SIGKILL.
    /// Returns whether it was killed (false: it finished first).
    func runAndKill(_ spec: String, output: URL, when ready: () -> Bool) throws -> Bool {
        let process = Process()
        process.executableURL = CLI.productsDirectory.appendingPathComponent("forgetbench")
        process.arguments = ["run", spec, "--output", output.path, "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(600)
        while process.isRunning && !ready() && Date() < deadline { usleep(5_000) }
        guard process.isRunning else { return false }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        return true
    }

    /// results.json without wall-clock times (the only part allowed to differ).
    func results(_ dir: URL) throws -> NSDictionary {
        func strip(_ value: Any) -> Any {
            if let d = value as? [String: Any] {
                var out: [String: Any] = [:]
                for (k, v) in d where !["timings", "seconds", "meanTrainingSeconds", "resumed"].contains(k) { out[k] = strip(v) }
                return out
            }
            if let a = value as? [Any] { return a.map(strip) }
            return value
        }
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("results.json")))
        return try XCTUnwrap(strip(object) as? [String: Any]) as NSDictionary
    }

    func testKilledDuringTrainingAndEvaluationThenRerunEqualsAnUninterruptedRun() throws {
        let spec = try writeSpec()
        let clean = work.appendingPathComponent("clean")
        let straight = try CLI.run(["run", spec, "--output", clean.path])
        XCTAssertEqual(straight.status, 0, straight.stderr)

        let resumed = work.appendingPathComponent("resumed")
        let fm = FileManager.default
        // 1. Kill while the second candidate trains (after at least one checkpoint).
        let trainer = resumed.appendingPathComponent("candidates/stm-2.5/seed-1/model/checkpoint/trainer.json").path
        let killedInTraining = try runAndKill(spec, output: resumed) { fm.fileExists(atPath: trainer) }
        XCTAssertTrue(killedInTraining, "the run finished before training could be interrupted")
        XCTAssertFalse(fm.fileExists(atPath: resumed.appendingPathComponent("candidates/stm-2.5/seed-1/model/training.json").path))
        XCTAssertTrue(fm.fileExists(atPath: resumed.appendingPathComponent("base/results.json").path), "the base evaluation finished before training")

        // 2. Rerun; kill while the second candidate is evaluated.
        let evalDir = resumed.appendingPathComponent("candidates/stm-2.5/seed-1/eval").path
        // The evaluation folder appears when the candidate's evaluation starts: kill at once.
        let killedInEval = try runAndKill(spec, output: resumed) { fm.fileExists(atPath: evalDir) }
        XCTAssertTrue(killedInEval, "the run finished before evaluation could be interrupted")
        XCTAssertFalse(fm.fileExists(atPath: resumed.appendingPathComponent("results.json").path), "no results before the run completes")

        // 3. Rerun to the end: finished stages are reused, not recomputed.
        let last = try CLI.run(["run", spec, "--output", resumed.path])
        XCTAssertEqual(last.status, 0, last.stderr)
        XCTAssertTrue(last.stderr.contains("resuming the run"), last.stderr)
        XCTAssertTrue(last.stderr.contains("evaluated earlier: \(resumed.appendingPathComponent("base").path)"), last.stderr)
        XCTAssertTrue(last.stderr.contains("ground-truth seed 1: trained earlier"), last.stderr)
        XCTAssertTrue(last.stderr.contains("stm:2.5 seed 1: trained earlier"), last.stderr)
        XCTAssertTrue(last.stderr.contains("evaluated earlier: \(resumed.appendingPathComponent("candidates/ground-truth/seed-1/eval").path)"), last.stderr)

        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: resumed.appendingPathComponent("candidates/stm-2.5/seed-1/model/training.json"))) as? [String: Any]
        XCTAssertEqual(summary?["resumed"] as? Bool, true, "training continued from its checkpoint")
        XCTAssertEqual(try results(resumed), try results(clean))
        for name in ["report.md", "junit.xml", "tradeoff.svg", "perplexity.svg"] {
            XCTAssertTrue(fm.fileExists(atPath: resumed.appendingPathComponent(name).path), name)
        }
        // The adapter of the interrupted candidate is bit-identical to the uninterrupted one.
        let adapter = "candidates/stm-2.5/seed-1/model/adapter_model.safetensors"
        XCTAssertEqual(try Data(contentsOf: resumed.appendingPathComponent(adapter)), try Data(contentsOf: clean.appendingPathComponent(adapter)))
    }
}
