import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C on `forgetbench train --trainer-command` stops the trainer and what it started: the
/// trainer leads a process group of its own, which the terminal's SIGINT does not reach.
final class TrainerInterruptTests: XCTestCase {
    var work: URL!
    override func setUpWithError() throws { work = try scratchDirectory(prefix: "forgetbench-cli") }

    /// Whether `pid` is a live process (a zombie, reaped or not, is not).
    func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    func testSIGINTStopsTheTrainerAndItsChildren() throws {
        let fixture = CLI.repositoryRoot.appendingPathComponent("Tests/Fixtures/hftrainer")
        let data = work.appendingPathComponent("train.gt.jsonl")
        let m = try CLI.run(["mask", "--model", fixture.appendingPathComponent("tiny_llama").path,
                             "--input", fixture.appendingPathComponent("train.jsonl").path, "--regime", "ground-truth", "--output", data.path])
        XCTAssertEqual(m.status, 0, m.stderr)
        // A trainer that starts a worker (as torchrun does) and never finishes.
        let pids = work.appendingPathComponent("pids")
        let script = work.appendingPathComponent("trainer.sh")
        try Data("""
            sleep 300 &
            echo "$$ $!" > '\(pids.path).tmp' && mv '\(pids.path).tmp' '\(pids.path)'
            echo 'step 1/100'
            wait
            """.utf8).write(to: script)
        let process = Process()
        process.executableURL = CLI.productsDirectory.appendingPathComponent("forgetbench")
        process.arguments = ["train", "--model", fixture.appendingPathComponent("tiny_llama").path, "--data", data.path,
                             "--trainer-command", "/bin/sh \(script.path) {output}", "--output", work.appendingPathComponent("out").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var started: [Int32] = []
        let deadline = Date().addingTimeInterval(120)
        while started.isEmpty, Date() < deadline {
            if let text = try? String(contentsOf: pids, encoding: .utf8) {
                started = text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            } else { usleep(100_000) }
        }
        XCTAssertEqual(started.count, 2, "the trainer wrote its pid and its worker's")
        guard started.count == 2 else { process.terminate(); return }
        XCTAssertTrue(started.allSatisfy(isAlive))
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "forgetbench ends as SIGINT ends it")
        XCTAssertEqual(process.terminationStatus, SIGINT)
        let gone = Date().addingTimeInterval(10)
        while started.contains(where: isAlive), Date() < gone { usleep(100_000) }
        for pid in started where isAlive(pid) {
            kill(pid, SIGKILL)
            XCTFail("process \(pid) outlived the interrupted run")
        }
    }
}
