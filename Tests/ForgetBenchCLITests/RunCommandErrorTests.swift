import Foundation
import TestSupport
import XCTest

/// `forgetbench run` on bad specs: one `error:` line naming the file, line and key; exit 1; and
/// nothing left in the output directory that looks like a finished stage.
final class RunCommandErrorTests: XCTestCase {
    var work: URL!

    override func setUpWithError() throws { work = try scratchDirectory(prefix: "forgetbench-cli") }

    /// A valid spec on stories260K and real tasks; `edit` changes its text.
    func spec(_ edit: (String) -> String = { $0 }) throws -> String {
        let shared = try CLI.shared()
        try Data("{\"prompt\": \"Once upon a time\", \"response\": \" there was a cat.\"}\n".utf8).write(to: work.appendingPathComponent("train.jsonl"))
        let text = """
        name: bad-input
        model:
          path: \(shared.appendingPathComponent("models/stories260K/stories260K.bin").path)
          chat_format: plain
        training_data:
          file: train.jsonl
        regimes: [ground-truth, "stm:2.5"]
        target_tasks: [arc_easy]
        non_target_tasks: [boolq, piqa]
        evaluation:
          limit: 5
        seeds: 1

        """
        let url = work.appendingPathComponent("spec.yaml")
        try Data(edit(text).utf8).write(to: url)
        return url.path
    }

    func run(_ spec: String, output: URL) throws -> CLI.Result {
        try CLI.run(["run", spec, "--output", output.path, "--data-dir", CLI.shared().appendingPathComponent("data").path, "--quiet"])
    }

    /// Exit 1, one line, containing every fragment; nothing complete-looking in `output`.
    func assertOneLineError(_ r: CLI.Result, _ fragments: [String], output: URL, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 1, r.stderr, file: file, line: line)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr, file: file, line: line)
        for f in fragments { XCTAssertTrue(r.stderr.contains(f), "'\(f)' not in: \(r.stderr)", file: file, line: line) }
        for name in ["results.json", "report.md", "junit.xml", "base/results.json"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: output.appendingPathComponent(name).path), "\(name) left behind", file: file, line: line)
        }
    }

    func testUnknownKeySuggestsTheNearOne() throws {
        let spec = try spec { $0.replacingOccurrences(of: "seeds: 1", with: "seed: 1") }
        let out = work.appendingPathComponent("out")
        assertOneLineError(try run(spec, output: out), ["spec.yaml:12:1", "unknown key 'seed'", "did you mean 'seeds'"], output: out)
        let nested = try self.spec { $0.replacingOccurrences(of: "  limit: 5", with: "  limt: 5") }
        assertOneLineError(try run(nested, output: out), ["spec.yaml:11:3", "'evaluation.limt'", "did you mean 'limit'"], output: out)
    }

    func testUnknownRegimeNamesItsLine() throws {
        let spec = try spec { $0.replacingOccurrences(of: "\"stm:2.5\"", with: "\"stn:2.5\"") }
        let out = work.appendingPathComponent("out")
        assertOneLineError(try run(spec, output: out), ["spec.yaml:7:", "unknown regime 'stn:2.5'", "did you mean 'stm:2.5'"], output: out)
    }

    func testMissingTaskNamesWhereItWasListed() throws {
        let spec = try spec { $0.replacingOccurrences(of: "[boolq, piqa]", with: "[boolq, piqa_typo]") }
        let out = work.appendingPathComponent("out")
        assertOneLineError(try run(spec, output: out), ["spec.yaml:9:", "piqa_typo"], output: out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "a failed check must not create the output directory")
    }

    func testTargetAlsoListedAsNonTarget() throws {
        let spec = try spec { $0.replacingOccurrences(of: "[boolq, piqa]", with: "[boolq, arc_easy]") }
        let out = work.appendingPathComponent("out")
        assertOneLineError(try run(spec, output: out), ["spec.yaml:9:", "'arc_easy' is listed as both a target and a non-target task"], output: out)
    }

    func testUnwritableOutputDirectory() throws {
        let spec = try spec()
        let blocker = work.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: blocker)
        let out = blocker.appendingPathComponent("out")
        assertOneLineError(try run(spec, output: out), [out.path, "cannot create the output directory"], output: out)
    }

    func testADirectoryOfAnotherSpecIsRefused() throws {
        let out = work.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let record = #"{"name": "other", "spec": {"name": "other"}}"#
        try Data(record.utf8).write(to: out.appendingPathComponent("experiment.json"))
        let r = try run(try spec(), output: out)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains(out.path), r.stderr)
        let nonEmpty = work.appendingPathComponent("busy")
        try FileManager.default.createDirectory(at: nonEmpty, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: nonEmpty.appendingPathComponent("notes.txt"))
        let busy = try run(try spec(), output: nonEmpty)
        assertOneLineError(busy, ["is not empty and holds no experiment"], output: nonEmpty)
    }

    func testMalformedYAMLAndWrongTypes() throws {
        let out = work.appendingPathComponent("out")
        let broken = try spec { $0.replacingOccurrences(of: "regimes: [ground-truth, \"stm:2.5\"]", with: "regimes: [ground-truth, \"stm:2.5\"") }
        assertOneLineError(try run(broken, output: out), ["spec.yaml", "malformed YAML"], output: out)
        let typed = try spec { $0.replacingOccurrences(of: "  limit: 5", with: "  limit: many") }
        assertOneLineError(try run(typed, output: out), ["spec.yaml:11:10", "'evaluation.limit' must be an integer"], output: out)
    }
}
