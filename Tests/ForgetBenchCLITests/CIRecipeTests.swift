import Foundation
import TestSupport
import XCTest
import Yams

/// The CI recipes of docs/ci.md (`examples/ci/`): their shell steps, extracted from the YAML,
/// run against the toy world: the candidate (a ground-truth fine-tune that forgets) fails a gate,
/// so the job ends with exit 2 after publishing junit.xml, the job summary and the HTML page; the
/// base against itself passes.
final class CIRecipeTests: XCTestCase {
    var work: URL!
    override func setUpWithError() throws { work = try scratchDirectory(prefix: "forgetbench-cli") }

    struct StepRun {
        var name: String
        var status: Int32?
        var output: String
    }

    /// Runs `script` with bash in `directory` with `environment`; returns its status and output.
    func bash(_ script: String, options: [String], environment: [String: String], in directory: URL) throws -> (Int32, String) {
        let file = work.appendingPathComponent("step-\(UUID().uuidString).sh")
        try Data(script.utf8).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["--noprofile", "--norc"] + options + [file.path]
        process.environment = environment
        process.currentDirectoryURL = directory
        let log = work.appendingPathComponent("step-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, try String(contentsOf: log, encoding: .utf8))
    }

    /// The variables a job sees: the recipe's own, then the toy world's overrides, `PATH` with the
    /// forgetbench under test first.
    func environment(_ recipe: [String: Any], candidateAdapter: String) throws -> [String: String] {
        let fixture = try PublishFixture.get()
        var env: [String: String] = [:]
        for (k, v) in recipe { env[k] = "\(v)" }
        let outer = ProcessInfo.processInfo.environment
        env["PATH"] = CLI.productsDirectory.path + ":" + (outer["PATH"] ?? "/usr/bin:/bin")
        env["HOME"] = outer["HOME"] ?? work.path
        env["TMPDIR"] = outer["TMPDIR"] ?? "/tmp"
        if let data = outer["FORGETBENCH_DATA"] { env["FORGETBENCH_DATA"] = data }
        env["BASE_MODEL"] = fixture.toyBase.path
        env["CANDIDATE_MODEL"] = fixture.toyBase.path
        env["CANDIDATE_ADAPTER"] = candidateAdapter
        env["TASKS"] = PublishFixture.tasks
        env["TARGET"] = "toy_subtract"
        env["LIMIT"] = "24"
        env["GATES"] = CLI.repositoryRoot.appendingPathComponent("examples/ci/gates.yaml").path
        return env
    }

    /// Runs the workflow's `run:` steps in order as GitHub does (`bash -eo pipefail`; after a
    /// failure only steps with `if: always()` run) and checks what the `uses:` steps would publish.
    func runGitHubWorkflow(candidateAdapter: String, in directory: URL) throws -> (steps: [StepRun], env: [String: String]) {
        let text = try String(contentsOf: CLI.repositoryRoot.appendingPathComponent("examples/ci/github-actions.yml"), encoding: .utf8)
        let workflow = try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any])
        let job = try XCTUnwrap((workflow["jobs"] as? [String: Any])?["forgetting"] as? [String: Any])
        let steps = try XCTUnwrap(job["steps"] as? [[String: Any]])
        var env = try environment(workflow["env"] as? [String: Any] ?? [:], candidateAdapter: candidateAdapter)
        for name in ["GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH"] {
            let url = directory.appendingPathComponent(".github-\(name)")
            FileManager.default.createFile(atPath: url.path, contents: nil)
            env[name] = url.path
        }
        var runs: [StepRun] = []
        var failed = false
        for step in steps {
            let name = step["name"] as? String ?? (step["uses"] as? String ?? "step")
            let always = (step["if"] as? String)?.contains("always()") ?? false
            if failed && !always { runs.append(StepRun(name: name, status: nil, output: "skipped")); continue }
            guard let script = step["run"] as? String else {
                // A `uses:` step: the files it would publish must exist.
                let with = step["with"] as? [String: Any] ?? [:]
                for key in ["report_paths", "path"] {
                    for path in (with[key] as? String ?? "").split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) where !path.isEmpty {
                        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path), "\(name): \(path) is missing")
                    }
                }
                runs.append(StepRun(name: name, status: 0, output: ""))
                continue
            }
            let (status, output) = try bash(script, options: ["-eo", "pipefail"], environment: env, in: directory)
            runs.append(StepRun(name: name, status: status, output: output))
            if status != 0 { failed = true }
        }
        return (runs, env)
    }

    func testGitHubWorkflowFailsOnAForgettingCandidateAfterPublishingEverything() throws {
        let fixture = try PublishFixture.get()
        let start = Date()
        let (steps, env) = try runGitHubWorkflow(candidateAdapter: fixture.adapter.path, in: work)
        let statuses = steps.map { "\($0.name): \($0.status.map(String.init) ?? "skipped")" }
        XCTAssertEqual(steps.last?.name, "Fail when a gate failed")
        XCTAssertEqual(steps.last?.status, 2, statuses.joined(separator: "\n") + "\n" + (steps.last?.output ?? ""))
        XCTAssertTrue(steps.last?.output.contains("::error::a forgetting gate failed") ?? false)
        for step in steps.dropLast() { XCTAssertEqual(step.status, 0, "\(step.name): \(step.output)") }
        let out = work.appendingPathComponent("forgetbench-out")
        // The job summary is compare's report.md; the test view gets a junit.xml with a failure.
        let report = try String(contentsOf: out.appendingPathComponent("compare/report.md"), encoding: .utf8)
        XCTAssertEqual(try String(contentsOfFile: env["GITHUB_STEP_SUMMARY"]!, encoding: .utf8), report)
        XCTAssertTrue(report.contains("## Items that flipped"), report)
        let junit = try String(contentsOf: out.appendingPathComponent("compare/junit.xml"), encoding: .utf8)
        XCTAssertTrue(junit.contains("<failure"), junit)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("site/index.html").path))
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("compare-exit-code"), encoding: .utf8), "2\n")
        print("GitHub workflow against the toy world: \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        if let keep = ProcessInfo.processInfo.environment["FORGETBENCH_CI_SUMMARY"] { try Data(report.utf8).write(to: URL(fileURLWithPath: keep)) }
    }

    func testGitHubWorkflowPassesWhenTheCandidateIsTheBase() throws {
        let (steps, _) = try runGitHubWorkflow(candidateAdapter: "", in: work)
        for step in steps { XCTAssertEqual(step.status, 0, "\(step.name): \(step.output)") }
        XCTAssertTrue(steps.last?.output.contains("every forgetting gate passed") ?? false)
    }

    func testGitLabJobFailsOnAForgettingCandidateAfterPublishingEverything() throws {
        let fixture = try PublishFixture.get()
        let text = try String(contentsOf: CLI.repositoryRoot.appendingPathComponent("examples/ci/gitlab-ci.yml"), encoding: .utf8)
        let root = try XCTUnwrap(try Yams.load(yaml: text) as? [String: Any])
        let job = try XCTUnwrap(root["forgetting-gate"] as? [String: Any])
        let lines = (job["before_script"] as? [String] ?? []) + (job["script"] as? [String] ?? [])
        XCTAssertGreaterThan(lines.count, 5)
        let env = try environment(job["variables"] as? [String: Any] ?? [:], candidateAdapter: fixture.adapter.path)
        // The runner executes the lines in one shell that stops at the first failing line.
        let (status, output) = try bash(lines.joined(separator: "\n"), options: ["-eo", "pipefail"], environment: env, in: work)
        XCTAssertEqual(status, 2, output)
        XCTAssertTrue(output.contains("a forgetting gate failed"), output)
        XCTAssertTrue(output.contains("# ForgetBench comparison"), "report.md is printed in the job log")
        let artifacts = try XCTUnwrap(job["artifacts"] as? [String: Any])
        XCTAssertEqual(artifacts["when"] as? String, "always")
        let junit = try XCTUnwrap((artifacts["reports"] as? [String: Any])?["junit"] as? String)
        XCTAssertTrue(try String(contentsOf: work.appendingPathComponent(junit), encoding: .utf8).contains("<failure"))
        for path in artifacts["paths"] as? [String] ?? [] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent(path).path), path)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent("forgetbench-out/site/index.html").path))
    }
}
