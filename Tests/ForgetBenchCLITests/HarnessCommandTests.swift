import Foundation
import TestSupport
import XCTest

/// `forgetbench eval`, `compare` and `tasks` end to end on stories260K and the real ARC data.
final class HarnessCommandTests: XCTestCase {
    var work: URL!

    override func setUpWithError() throws { work = try scratchDirectory(prefix: "forgetbench-cli") }

    func stories() throws -> String { try CLI.shared().appendingPathComponent("models/stories260K/stories260K.bin").path }
    func dataDir() throws -> String { try CLI.shared().appendingPathComponent("data").path }

    func eval(model: String, tasks: String, limit: Int, output: URL, extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["eval", "--model", model, "--tokenizer", CLI.shared().appendingPathComponent("models/stories260K/tok512.bin").path,
                     "--tasks", tasks, "--limit", "\(limit)", "--data-dir", dataDir(), "--output", output.path] + extra)
    }

    func json(_ url: URL) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// results.json without its timings, which are the only part allowed to differ between runs.
    func resultsWithoutTimings(_ dir: URL) throws -> NSDictionary {
        var r = try json(dir.appendingPathComponent("results.json"))
        r["timings"] = nil
        return r as NSDictionary
    }

    func testEvalSamplesAreByteIdenticalWhateverTheBatchSizeAndThreads() throws {
        // Multiple choice (shared contexts), rolling log-likelihood and generation in one run.
        let tasks = "arc_easy,wikisql_rolling,gsm8k"
        let one = work.appendingPathComponent("batch1"), eight = work.appendingPathComponent("batch8")
        let r1 = try eval(model: stories(), tasks: tasks, limit: 12, output: one, extra: ["--eval-batch-size", "1", "--threads", "1"])
        XCTAssertEqual(r1.status, 0, r1.stderr)
        let r8 = try eval(model: stories(), tasks: tasks, limit: 12, output: eight, extra: ["--eval-batch-size", "8", "--threads", "2"])
        XCTAssertEqual(r8.status, 0, r8.stderr)
        for task in tasks.split(separator: ",") {
            let a = try Data(contentsOf: one.appendingPathComponent("samples/\(task).jsonl"))
            let b = try Data(contentsOf: eight.appendingPathComponent("samples/\(task).jsonl"))
            XCTAssertFalse(a.isEmpty)
            XCTAssertTrue(a == b, "samples/\(task).jsonl differs between --eval-batch-size 1 and 8")
        }
        XCTAssertEqual(try resultsWithoutTimings(one), try resultsWithoutTimings(eight))
    }

    func testEvalWritesFourOutputsRepeatablyAndCompareWithItselfPasses() throws {
        let a = work.appendingPathComponent("a"), b = work.appendingPathComponent("b")
        for dir in [a, b] {
            let r = try eval(model: stories(), tasks: "arc_easy,wikisql_rolling", limit: 200, output: dir)
            XCTAssertEqual(r.status, 0, r.stderr)
            for file in ["results.json", "samples/arc_easy.jsonl", "samples/wikisql_rolling.jsonl", "report.md", "junit.xml"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), file)
            }
        }
        XCTAssertEqual(try resultsWithoutTimings(a), try resultsWithoutTimings(b))
        XCTAssertEqual(try Data(contentsOf: a.appendingPathComponent("samples/arc_easy.jsonl")),
                       try Data(contentsOf: b.appendingPathComponent("samples/arc_easy.jsonl")))
        let results = try json(a.appendingPathComponent("results.json"))
        let tasks = try XCTUnwrap(results["tasks"] as? [[String: Any]])
        XCTAssertEqual(tasks.first { $0["name"] as? String == "arc_easy" }?["itemCount"] as? Int, 200)
        try assertValidJUnit(a.appendingPathComponent("junit.xml"))

        let out = work.appendingPathComponent("same")
        let r = try CLI.run(["compare", a.path, b.path, "--strict", "--output", out.path])
        XCTAssertEqual(r.status, 0, r.stderr + r.stdout)
        let comparison = try json(out.appendingPathComponent("comparison.json"))
        for task in try XCTUnwrap(comparison["tasks"] as? [[String: Any]]) {
            for metric in try XCTUnwrap(task["metrics"] as? [[String: Any]]) {
                XCTAssertEqual(metric["difference"] as? Double, 0, "\(task["name"] ?? "") \(metric["metric"] ?? "")")
            }
        }
        try assertValidJUnit(out.appendingPathComponent("junit.xml"))
    }

    func testComparingADifferentModelFailsATightGate() throws {
        // A copy of stories260K with every weight scaled by a random factor in [0.5, 1.5).
        var data = try Data(contentsOf: URL(fileURLWithPath: stories()))
        data.withUnsafeMutableBytes { raw in
            let floats = raw.baseAddress!.advanced(by: 28).assumingMemoryBound(to: Float.self)
            var state: UInt64 = 7
            for i in 0 ..< (raw.count - 28) / 4 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                floats[i] *= 1 + (Float(state >> 40) / Float(1 << 24) - 0.5)
            }
        }
        let perturbed = work.appendingPathComponent("perturbed.bin")
        try data.write(to: perturbed)
        let base = work.appendingPathComponent("base"), candidate = work.appendingPathComponent("candidate")
        XCTAssertEqual(try eval(model: stories(), tasks: "arc_easy,wikisql_rolling", limit: 100, output: base).status, 0)
        XCTAssertEqual(try eval(model: perturbed.path, tasks: "arc_easy,wikisql_rolling", limit: 100, output: candidate).status, 0)

        let out = work.appendingPathComponent("cmp")
        let gates = work.appendingPathComponent("gates.yaml")
        try "default:\n  margin_percent: 0.1\n  alpha: 0.05\n".write(to: gates, atomically: true, encoding: .utf8)
        let r = try CLI.run(["compare", base.path, candidate.path, "--gates", gates.path, "--output", out.path])
        XCTAssertEqual(r.status, 2, r.stderr + r.stdout)
        let comparison = try json(out.appendingPathComponent("comparison.json"))
        let rolling = try XCTUnwrap((comparison["tasks"] as? [[String: Any]])?.first { $0["name"] as? String == "wikisql_rolling" })
        let bpb = try XCTUnwrap((rolling["metrics"] as? [[String: Any]])?.first { $0["metric"] as? String == "bits_per_byte" })
        XCTAssertNotEqual(bpb["difference"] as? Double, 0)
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8).contains("❌"))
        let junit = try String(contentsOf: out.appendingPathComponent("junit.xml"), encoding: .utf8)
        XCTAssertTrue(junit.contains("<failure"), junit)
        XCTAssertTrue(junit.contains("classname=\"nontarget.wikisql_rolling\""), junit)
        try assertValidJUnit(out.appendingPathComponent("junit.xml"))
    }

    func testTaskAddedAsYAMLInATasksDirIsListedAndEvaluated() throws {
        let dir = work.appendingPathComponent("mytasks")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let arc = try String(contentsOf: CLI.repositoryRoot.appendingPathComponent("tasks/arc_easy.yaml"), encoding: .utf8)
        try arc.replacingOccurrences(of: "name: arc_easy", with: "name: my_arc_copy")
            .write(to: dir.appendingPathComponent("my_arc_copy.yaml"), atomically: true, encoding: .utf8)
        let list = try CLI.run(["tasks", "list", "--tasks-dir", dir.path, "--data-dir", dataDir()])
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.contains("my_arc_copy"), list.stdout)
        let out = work.appendingPathComponent("mine")
        let r = try eval(model: stories(), tasks: "my_arc_copy", limit: 5, output: out, extra: ["--tasks-dir", dir.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("my_arc_copy (n=5)"), r.stdout)
    }

    func assertOneLineError(_ r: CLI.Result, contains fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 1, "exit status; stderr: \(r.stderr)", file: file, line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line expected: \(r.stderr)", file: file, line: line)
        for f in fragments { XCTAssertTrue(r.stderr.contains(f), "'\(r.stderr)' should mention '\(f)'", file: file, line: line) }
    }

    func testBadTaskFilesAreOneLineErrors() throws {
        let dir = work.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("bad.yaml")
        let arc = try String(contentsOf: CLI.repositoryRoot.appendingPathComponent("tasks/arc_easy.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "name: arc_easy", with: "name: bad_task")

        try "name: [unclosed\n".write(to: file, atomically: true, encoding: .utf8)
        assertOneLineError(try CLI.run(["tasks", "list", "--tasks-dir", dir.path, "--data-dir", dataDir()]), contains: [file.path])

        try arc.replacingOccurrences(of: "output_type:", with: "ouput_type:").write(to: file, atomically: true, encoding: .utf8)
        assertOneLineError(try CLI.run(["tasks", "list", "--tasks-dir", dir.path, "--data-dir", dataDir()]), contains: [file.path, "output_type"])

        try arc.replacingOccurrences(of: "{{query}}", with: "{{querry}}").write(to: file, atomically: true, encoding: .utf8)
        assertOneLineError(try eval(model: stories(), tasks: "bad_task", limit: 2, output: work.appendingPathComponent("o1"), extra: ["--tasks-dir", dir.path]),
                           contains: ["querry"])

        let sha = try XCTUnwrap(arc.range(of: #"sha256: [0-9a-f]{64}"#, options: .regularExpression))
        try arc.replacingCharacters(in: sha, with: "sha256: " + String(repeating: "0", count: 64)).write(to: file, atomically: true, encoding: .utf8)
        assertOneLineError(try eval(model: stories(), tasks: "bad_task", limit: 2, output: work.appendingPathComponent("o2"), extra: ["--tasks-dir", dir.path]),
                           contains: ["sha256", "https://"])

        let empty = work.appendingPathComponent("emptydata")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try arc.write(to: file, atomically: true, encoding: .utf8)
        assertOneLineError(try CLI.run(["eval", "--model", stories(), "--tasks", "bad_task", "--limit", "2", "--data-dir", empty.path,
                                        "--tasks-dir", dir.path, "--output", work.appendingPathComponent("o3").path]),
                           contains: ["arc_easy.jsonl", "https://"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("o3/results.json").path))
    }

    func testUnknownTaskSuggestsANearName() throws {
        let r = try CLI.run(["eval", "--model", stories(), "--tasks", "arc_esay", "--data-dir", dataDir(), "--output", work.appendingPathComponent("x").path])
        assertOneLineError(r, contains: ["unknown task 'arc_esay'", "arc_easy"])
    }

    func assertValidJUnit(_ url: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let xsd = try CLI.shared().appendingPathComponent("schemas/junit-10.xsd")
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/xmllint") else { throw XCTSkip("xmllint (libxml2-utils) is not installed") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        p.arguments = ["--noout", "--schema", xsd.path, url.path]
        let err = Pipe()
        p.standardError = err
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, message, file: file, line: line)
    }
}

/// `--shard i/n` and `forgetbench merge`.
final class ShardCommandTests: XCTestCase {
    func testThreeShardsMergeToTheUnshardedRun() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let shared = try CLI.shared()
        let common = ["--model", shared.appendingPathComponent("models/stories260K/stories260K.bin").path,
                      "--tasks", "arc_easy,wikisql_rolling", "--limit", "31", "--data-dir", shared.appendingPathComponent("data").path]
        let whole = work.appendingPathComponent("whole")
        XCTAssertEqual(try CLI.run(["eval"] + common + ["--output", whole.path]).status, 0)
        var shardDirectories: [String] = []
        for i in 1 ... 3 {
            let dir = work.appendingPathComponent("shard\(i)")
            let r = try CLI.run(["eval"] + common + ["--shard", "\(i)/3", "--output", dir.path])
            XCTAssertEqual(r.status, 0, r.stderr)
            shardDirectories.append(dir.path)
        }
        let merged = work.appendingPathComponent("merged")
        // Given out of order on purpose.
        let r = try CLI.run(["merge", shardDirectories[2], shardDirectories[0], shardDirectories[1], "--output", merged.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        func results(_ dir: URL) throws -> NSDictionary {
            var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("results.json"))) as? [String: Any])
            json["timings"] = nil
            return json as NSDictionary
        }
        XCTAssertEqual(try results(merged), try results(whole))
        for task in ["arc_easy", "wikisql_rolling"] {
            XCTAssertEqual(try Data(contentsOf: merged.appendingPathComponent("samples/\(task).jsonl")),
                           try Data(contentsOf: whole.appendingPathComponent("samples/\(task).jsonl")), task)
        }
        // Shards that do not belong together are refused.
        let missing = try CLI.run(["merge", shardDirectories[0], shardDirectories[1], "--output", work.appendingPathComponent("bad").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("missing shard(s) 3/3"), missing.stderr)
        let mixed = try CLI.run(["merge", shardDirectories[0], shardDirectories[1], whole.path, "--output", work.appendingPathComponent("bad2").path])
        XCTAssertEqual(mixed.status, 1)
        XCTAssertTrue(mixed.stderr.contains("not a shard"), mixed.stderr)
    }
}
