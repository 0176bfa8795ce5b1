import Foundation
import XCTest

/// Outputs the leaderboard and CI-recipe tests share, made once per test process in the toy world:
/// a small `forgetbench run` (the base and one ground-truth candidate, which forgets), and two
/// `eval` outputs (the base again, and the candidate's adapter on fewer items).
struct PublishFixture: Sendable {
    /// The fixture's folder; everything below is laid out inside it.
    var work: URL
    /// Seconds the fixture took to make.
    var seconds: Double

    var toyBase: URL { CLI.repositoryRoot.appendingPathComponent("models/toy-base") }
    /// The `forgetbench run` output.
    var run: URL { work.appendingPathComponent("run") }
    /// The run's fine-tuned candidate: a PEFT LoRA adapter over `toyBase`.
    var adapter: URL { run.appendingPathComponent("candidates/ground-truth/seed-1/model") }
    /// `eval` of the base model.
    var evalBase: URL { work.appendingPathComponent("evals/toy-base") }
    /// `eval` of the adapter on fewer items.
    var evalCandidate: URL { work.appendingPathComponent("evals/ground-truth-16") }

    static let tasks = "toy_subtract,toy_reverse,toy_facts"

    private static let shared: Result<PublishFixture, Error> = Result { try make() }

    static func get() throws -> PublishFixture {
        _ = try CLI.toyBase()
        return try shared.get()
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private static func make() throws -> PublishFixture {
        let start = Date()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("forgetbench-publish-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: work)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        var fixture = PublishFixture(work: work, seconds: 0)
        let spec = work.appendingPathComponent("spec.yaml")
        try Data("""
        name: publish
        model: {path: \(fixture.toyBase.path), chat_format: plain}
        training_data: {task: toy_subtract, limit: 48}
        regimes: [ground-truth]
        training: {lr: 1e-2, epochs: 3, batch_size: 4, checkpoint_every: 100}
        target_tasks: [toy_subtract]
        non_target_tasks: [toy_reverse, toy_facts]
        evaluation: {limit: 24}
        seeds: [1]

        """.utf8).write(to: spec)
        func check(_ arguments: [String], _ what: String) throws {
            let r = try CLI.run(arguments)
            guard r.status == 0 else { throw Failure(description: "\(what) exited \(r.status): \(r.stderr)") }
        }
        try check(["run", spec.path, "--output", fixture.run.path, "--quiet"], "run")
        try check(["eval", "--model", fixture.toyBase.path, "--tasks", tasks, "--limit", "24", "--output", fixture.evalBase.path], "eval base")
        try check(["eval", "--model", fixture.toyBase.path, "--adapter", fixture.adapter.path, "--tasks", tasks, "--limit", "16",
                   "--output", fixture.evalCandidate.path], "eval candidate")
        XCTestObservationCenter.shared.addTestObserver(RemoveWhenFinished(url: work))
        fixture.seconds = Date().timeIntervalSince(start)
        return fixture
    }

    /// Removes the fixture's directory when the test bundle finishes.
    final class RemoveWhenFinished: NSObject, XCTestObservation, @unchecked Sendable {
        let url: URL
        init(url: URL) { self.url = url }
        func testBundleDidFinish(_ testBundle: Bundle) { try? FileManager.default.removeItem(at: url) }
    }
}

/// Headless Chromium (Debian's `chromium`, installed by scripts/setup.sh) for tests of the HTML page.
enum Chromium {
    static func binary() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for dir in path.split(separator: ":") {
                let candidate = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    /// The browser, or a skip with the reason printed when it is absent outside CI. In CI
    /// (`CI` set, as GitHub, GitLab and .ci/run set it) its absence is a failure: setup installs it.
    static func require() throws -> String {
        if let b = binary() { return b }
        let reason = "chromium is not installed (scripts/setup.sh installs Debian's chromium); skipping the browser test"
        if ProcessInfo.processInfo.environment["CI"].map({ !$0.isEmpty && $0 != "0" && $0 != "false" }) ?? false {
            XCTFail("CI is set but " + reason)
            throw Failure(description: reason)
        }
        print("note: " + reason)
        throw XCTSkip(reason)
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Runs headless Chromium on `url` with `arguments` (e.g. `--dump-dom`) and returns its stdout.
    static func run(_ arguments: [String], url: String, timeout: TimeInterval = 90) throws -> String {
        let browser = try require()
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("forgetbench-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--user-data-dir=\(profile.path)"] + arguments + [url]
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let outFile = profile.appendingPathComponent("stdout")
        FileManager.default.createFile(atPath: outFile.path, contents: nil)
        let out = try FileHandle(forWritingTo: outFile)
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            throw Failure(description: "chromium did not finish within \(Int(timeout)) s on \(url)")
        }
        try out.close()
        return try String(contentsOf: outFile, encoding: .utf8)
    }

    /// The DOM after the page's scripts ran.
    static func dumpDOM(_ file: URL, query: String = "") throws -> String {
        try run(["--dump-dom"], url: "file://\(file.path)\(query.isEmpty ? "" : "?" + query)")
    }

    /// A PNG of the page at `width`×`height`.
    static func screenshot(_ file: URL, query: String = "", to png: URL, width: Int = 1400, height: Int = 1100) throws {
        _ = try run(["--screenshot=\(png.path)", "--window-size=\(width),\(height)", "--hide-scrollbars"],
                    url: "file://\(file.path)\(query.isEmpty ? "" : "?" + query)")
    }
}
