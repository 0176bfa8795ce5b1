import Foundation
import TestSupport
import XCTest

/// `forgetbench run` with `model.kind: openai`: a `server:` block starts `forgetbench serve`, the
/// base model is evaluated and the training set scored through it, the server stops while the
/// reference PyTorch trainer (`trainer: command`, integrations/hf/train.py) trains each candidate,
/// and starts again with every candidate's adapter under its own model id (`--lora`); a running
/// server (`model.url`) gets them through `POST /v1/load_lora_adapter`. Every score equals the run
/// of the same spec with the built-in engine (`kind: native`) within 1e-4.
final class ServedRunTests: XCTestCase {
    var work: URL!
    /// The largest difference seen between a served and an in-process number.
    var largest = 0.0
    override func setUpWithError() throws { work = try scratchDirectory(prefix: "forgetbench-cli") }

    static let model = HFTrainerParityTests.fixture.appendingPathComponent("tiny_llama")

    func writeSpec(_ name: String, served: Bool, python: String) throws -> String {
        let forgetbench = CLI.productsDirectory.appendingPathComponent("forgetbench").path
        let model = served ? """
        model:
          kind: openai
          path: \(Self.model.path)
          chat_format: plain
          server:
            start: "\(forgetbench) serve --model {base} --served-model-name {name} --port {port} --max-num-seqs 4 {lora_args}"
            timeout: 120
          batch_size: 4
          concurrency: 4
        """ : """
        model: {path: \(Self.model.path), chat_format: plain}
        """
        let text = """
        name: served-run
        \(model)
        training_data: {task: toy_subtract, limit: 12}
        regimes: [ground-truth, "stm:1000"]   # the random model's median perplexity: about half the tokens masked
        training:
          trainer: command
          command: "\(python) '\(HFTrainerParityTests.script.path)' --data {data} --settings {settings} --model {base} --output {output}"
          lr: 1e-2
          epochs: 2
          batch_size: 4
          lora_rank: 4
          lora_alpha: 8
          max_seq_len: 96
        target_tasks: [toy_subtract]
        non_target_tasks: [toy_max]
        evaluation: {limit: 10}
        seeds: [1]

        """
        let url = work.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// The venv's python (skips without one, fails under CI).
    static func python() throws -> String {
        try ReferenceVenv.python(importing: ["torch", "transformers", "peft", "safetensors", "numpy"])
    }

    func json(_ url: URL) throws -> Any { try JSONSerialization.jsonObject(with: Data(contentsOf: url)) }

    /// Every number under `a` and `b` at the same path agrees within `tolerance` (keys about time
    /// and identity skipped); returns how many were compared.
    @discardableResult
    func assertNumbersAgree(_ a: Any, _ b: Any, path: String = "", tolerance: Double = 1e-4) -> Int {
        let skipped = ["seconds", "Seconds", "timings", "fingerprint", "model", "scorer", "created", "sha256", "SHA256", "notes", "name"]
        switch (a, b) {
        case let (x as [String: Any], y as [String: Any]):
            let kept = { (d: [String: Any]) in Set(d.keys.filter { key in !skipped.contains(where: { key.contains($0) }) }) }
            XCTAssertEqual(kept(x), kept(y), "keys at \(path)")
            var n = 0
            for (key, value) in x where !skipped.contains(where: { key.contains($0) }) {
                guard let other = y[key] else { continue }
                n += assertNumbersAgree(value, other, path: path + "." + key, tolerance: tolerance)
            }
            return n
        case let (x as [Any], y as [Any]):
            XCTAssertEqual(x.count, y.count, "length at \(path)")
            return zip(x, y).enumerated().map { assertNumbersAgree($1.0, $1.1, path: path + "[\($0)]", tolerance: tolerance) }.reduce(0, +)
        case let (x as NSNumber, y as NSNumber) where !(x is Bool):
            XCTAssertLessThanOrEqual(abs(x.doubleValue - y.doubleValue), tolerance, "\(path): \(x) vs \(y)")
            largest = max(largest, abs(x.doubleValue - y.doubleValue))
            return 1
        case let (x as String, y as String) where path.hasSuffix(".text") || path.hasSuffix(".extractedAnswer"):
            XCTAssertEqual(x, y, path)
            return 0
        default:
            return 0
        }
    }

    /// The evaluations of a run: base and each candidate, by directory relative to the run.
    let evaluations = ["base", "candidates/ground-truth/seed-1/eval", "candidates/stm-1000/seed-1/eval"]

    func compareRuns(_ native: URL, _ served: URL) throws {
        var compared = 0
        for e in evaluations {
            let (a, b) = (native.appendingPathComponent(e), served.appendingPathComponent(e))
            compared += assertNumbersAgree(try json(a.appendingPathComponent("results.json")), try json(b.appendingPathComponent("results.json")), path: e)
            for task in ["toy_subtract", "toy_max"] {
                let lines = { (url: URL) in try String(contentsOf: url.appendingPathComponent("samples/\(task).jsonl"), encoding: .utf8).split(separator: "\n")
                    .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) } }
                let (x, y) = (try lines(a), try lines(b))
                XCTAssertEqual(x.count, 10)
                compared += assertNumbersAgree(x, y, path: "\(e)/samples/\(task)")
            }
        }
        // The experiment's results: every regime's deltas, per-task changes and p-values.
        let (x, y) = (try json(native.appendingPathComponent("results.json")) as? [String: Any], try json(served.appendingPathComponent("results.json")) as? [String: Any])
        compared += assertNumbersAgree(x?["regimes"] as Any, y?["regimes"] as Any, path: "regimes")
        compared += assertNumbersAgree(x?["baseScores"] ?? x?["base_scores"] as Any, y?["baseScores"] ?? y?["base_scores"] as Any, path: "baseScores")
        XCTAssertGreaterThan(compared, 100, "the comparison covers the scores")
        print("served run vs native run: \(compared) numbers compared, largest difference \(largest)")
    }

    func testServedRunEqualsTheNativeRun() throws {
        let python = try Self.python()
        let nativeRun = work.appendingPathComponent("native"), servedRun = work.appendingPathComponent("served")
        let n = try CLI.run(["run", try writeSpec("native.yaml", served: false, python: python), "--output", nativeRun.path, "--quiet"])
        XCTAssertEqual(n.status, 0, n.stderr + n.stdout)
        let servedSpec = try writeSpec("served.yaml", served: true, python: python)
        let s = try CLI.run(["run", servedSpec, "--output", servedRun.path])
        XCTAssertEqual(s.status, 0, s.stderr + s.stdout)
        XCTAssertTrue(s.stderr.contains("the server is ready at http://127.0.0.1:"), s.stderr)

        // The same masked training sets (the server scored them), so the same adapters.
        for regime in ["ground-truth", "stm-1000"] {
            let masked = { (run: URL) in try String(contentsOf: run.appendingPathComponent("candidates/\(regime)/seed-1/train.jsonl"), encoding: .utf8) }
            let (a, b) = (try masked(nativeRun), try masked(servedRun))
            let labels = { (text: String) in try text.split(separator: "\n").map { (try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["labels"] as? [Int] ?? [] } }
            XCTAssertEqual(try labels(a), try labels(b), "\(regime): the served scores mask the same tokens")
        }
        let manifest = try XCTUnwrap(try json(servedRun.appendingPathComponent("candidates/stm-1000/seed-1/train.manifest.json")) as? [String: Any])
        let counts = try XCTUnwrap(manifest["counts"] as? [String: Any])
        let (maskedTokens, responseTokens) = (counts["masked_tokens"] as? Int ?? 0, counts["response_tokens"] as? Int ?? 0)
        XCTAssertTrue(maskedTokens > responseTokens / 5 && maskedTokens < responseTokens * 4 / 5, "STM masks some tokens, not all: \(counts)")
        try compareRuns(nativeRun, servedRun)

        // Results name the served model and the adapter's fingerprint.
        let candidate = try XCTUnwrap(try json(servedRun.appendingPathComponent("candidates/stm-1000/seed-1/eval/results.json")) as? [String: Any])
        let record = try XCTUnwrap(candidate["model"] as? [String: Any])
        XCTAssertEqual(record["engine"] as? String, "openai")
        XCTAssertEqual(record["name"] as? String, "tiny_llama-stm-1000-seed1")
        let adapter = try XCTUnwrap(record["adapter"] as? [String: Any], "results.json names the adapter")
        XCTAssertEqual(adapter["files"] as? [String], ["adapter_config.json", "adapter_model.safetensors"])
        let nativeCandidate = try XCTUnwrap(try json(nativeRun.appendingPathComponent("candidates/stm-1000/seed-1/eval/results.json")) as? [String: Any])
        let nativeRecord = try XCTUnwrap(nativeCandidate["model"] as? [String: Any])
        let sameAdapter = try Data(contentsOf: nativeRun.appendingPathComponent("candidates/stm-1000/seed-1/model/adapter_model.safetensors"))
            == Data(contentsOf: servedRun.appendingPathComponent("candidates/stm-1000/seed-1/model/adapter_model.safetensors"))
        // (PEFT writes target_modules from a set, in no fixed order: adapter_config.json may differ.)
        let sameConfig = try Data(contentsOf: nativeRun.appendingPathComponent("candidates/stm-1000/seed-1/model/adapter_config.json"))
            == Data(contentsOf: servedRun.appendingPathComponent("candidates/stm-1000/seed-1/model/adapter_config.json"))
        XCTAssertTrue(sameAdapter, "the same masked data trains the same adapter weights")
        XCTAssertEqual((adapter["sha256"] as? String)?.count, 64)
        if sameAdapter && sameConfig {
            XCTAssertEqual((nativeRecord["adapter"] as? [String: Any])?["sha256"] as? String, adapter["sha256"] as? String)
        }
        XCTAssertEqual((record["fingerprint"] as? [String: Any])?["sha256"] as? String,
                       ((try json(nativeRun.appendingPathComponent("base/results.json")) as? [String: Any])?["model"] as? [String: Any])
                           .flatMap { ($0["fingerprint"] as? [String: Any])?["sha256"] as? String },
                       "the served base is fingerprinted by the checkpoint it serves: \(record) vs \(String(describing: (try? json(nativeRun.appendingPathComponent("base/results.json")) as? [String: Any])?["model"]))")
        // The server stopped while the candidates trained and started again with their adapters.
        let log = try String(contentsOf: servedRun.appendingPathComponent("server.log"), encoding: .utf8)
        let firstStarts = log.split(separator: "\n").filter { $0.hasPrefix("$ ") }
        XCTAssertEqual(firstStarts.count, 2, log)
        XCTAssertTrue(firstStarts.allSatisfy { $0.contains("serve --model \(Self.model.path)") }, log)
        XCTAssertFalse(firstStarts[0].contains("--lora"), "nothing is trained at the first start")
        XCTAssertTrue(firstStarts[1].contains("--lora tiny_llama-ground-truth-seed1=") && firstStarts[1].contains("--lora tiny_llama-stm-1000-seed1="), log)
        XCTAssertTrue(s.stderr.contains("stopping the server while the candidates train"), s.stderr)

        // Rerun the evaluations: the adapters are trained, so the server starts once, with --lora
        // for each, and is not stopped for training; the scores are the same.
        for e in evaluations.dropFirst() { try FileManager.default.removeItem(at: servedRun.appendingPathComponent(e)) }
        for f in ["cache.sqlite", "results.json"] { try? FileManager.default.removeItem(at: servedRun.appendingPathComponent(f)) }
        let again = try CLI.run(["run", servedSpec, "--output", servedRun.path, "--quiet"])
        XCTAssertEqual(again.status, 0, again.stderr + again.stdout)
        let starts = try String(contentsOf: servedRun.appendingPathComponent("server.log"), encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("$ ") }
        XCTAssertEqual(starts.count, 3)
        XCTAssertTrue(starts.last!.contains("--lora tiny_llama-ground-truth-seed1=") && starts.last!.contains("--lora tiny_llama-stm-1000-seed1="), String(starts.last!))
        try compareRuns(nativeRun, servedRun)
    }

    func minimalSpec(_ file: String, start: String, name: String? = nil) throws -> String {
        let url = work.appendingPathComponent(file)
        try Data("""
        name: broken-server
        model:
          kind: openai
          path: \(Self.model.path)
        \(name.map { "  name: \($0)" } ?? "")
          server: {start: "\(start)", timeout: 60}
        training_data: {task: toy_subtract, limit: 4}
        regimes: [ground-truth]
        target_tasks: [toy_subtract]
        non_target_tasks: [toy_max]
        evaluation: {limit: 2}

        """.utf8).write(to: url)
        return url.path
    }

    /// A server that dies before it is ready, or that does not serve the spec's model, fails the run
    /// with one clear message (the log's last lines, the ids it serves), and is not left running.
    func testAServerThatDiesOrServesAnotherModelFailsTheRunAndIsStopped() throws {
        let died = try CLI.run(["run", try minimalSpec("died.yaml", start: "sh -c 'echo cannot load the weights >&2; exit 3'"),
                                "--output", work.appendingPathComponent("died").path, "--quiet"])
        XCTAssertEqual(died.status, 1)
        XCTAssertTrue(died.stderr.contains("the server exited with status 3 before it was ready") && died.stderr.contains("cannot load the weights"), died.stderr)

        let forgetbench = CLI.productsDirectory.appendingPathComponent("forgetbench").path
        let other = work.appendingPathComponent("other")
        let r = try CLI.run(["run", try minimalSpec("other.yaml", start: "\(forgetbench) serve --model {base} --served-model-name someone-else --port {port}", name: "tiny"),
                             "--output", other.path, "--quiet"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("does not serve 'tiny' (model.name); it serves 'someone-else'"), r.stderr)
        // The server it started is gone: its port refuses connections.
        let log = try String(contentsOf: other.appendingPathComponent("server.log"), encoding: .utf8)
        let port = try XCTUnwrap(log.components(separatedBy: "--port ").dropFirst().first?.prefix { $0.isNumber })
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/bin/sh")
        probe.arguments = ["-c", "exec 3<>/dev/tcp/127.0.0.1/\(port)"]
        probe.standardError = FileHandle.nullDevice
        if FileManager.default.fileExists(atPath: "/bin/bash") { probe.executableURL = URL(fileURLWithPath: "/bin/bash") }
        try probe.run()
        probe.waitUntilExit()
        XCTAssertNotEqual(probe.terminationStatus, 0, "nothing listens on \(port) after the run")
    }

    /// `model.url`: a server that is already running (not started or stopped by the run), the
    /// built-in trainer; the candidate's adapter is loaded into it with POST /v1/load_lora_adapter.
    func testARunningServerEvaluatesTheCandidatesItIsGiven() throws {
        let started = try CLI.startServer(["--model", Self.model.path, "--port", "0"])
        defer { started.process.terminate(); started.process.waitUntilExit() }
        let url = work.appendingPathComponent("running.yaml")
        try Data("""
        name: running-server
        model:
          kind: openai
          path: \(Self.model.path)
          chat_format: plain
          url: \(started.url)
        training_data: {task: toy_subtract, limit: 8}
        regimes: [ground-truth]
        training: {lr: 1e-2, epochs: 1, batch_size: 4, lora_rank: 2, lora_alpha: 4}
        target_tasks: [toy_subtract]
        non_target_tasks: [toy_max]
        evaluation: {limit: 4}

        """.utf8).write(to: url)
        let run = work.appendingPathComponent("run")
        let r = try CLI.run(["run", url.path, "--output", run.path, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr + r.stdout)
        let results = try XCTUnwrap(try json(run.appendingPathComponent("candidates/ground-truth/seed-1/eval/results.json")) as? [String: Any])
        let record = try XCTUnwrap(results["model"] as? [String: Any])
        XCTAssertEqual(record["name"] as? String, "tiny_llama-ground-truth-seed1")
        XCTAssertTrue((record["notes"] as? [String])?.first?.contains("the server is taken to serve") == false, "\(record)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.appendingPathComponent("server.log").path), "no server was started")
        // The server still runs and now serves the candidate's adapter.
        XCTAssertTrue(started.process.isRunning)
        let listing = try String(contentsOf: URL(string: started.url + "/models")!, encoding: .utf8)
        XCTAssertTrue(listing.contains("\"tiny_llama-ground-truth-seed1\"") && listing.contains(run.appendingPathComponent("candidates/ground-truth/seed-1/model").path), listing)
        let base = try XCTUnwrap(try json(run.appendingPathComponent("base/results.json")) as? [String: Any])
        XCTAssertTrue(((base["model"] as? [String: Any])?["notes"] as? [String])?.first?.contains("the server is taken to serve") == true, "\(base)")
    }

    /// `run --dry-run` on a served spec named `name` whose `model:` block holds `modelLines` after
    /// its `kind` and `path`.
    func dryRunServedSpec(_ name: String, modelLines: String = "") throws -> CLI.Result {
        let url = work.appendingPathComponent("\(name).yaml")
        try Data("""
        name: \(name)
        model:
          kind: openai
          path: \(Self.model.path)
        \(modelLines)training_data: {task: toy_subtract}
        regimes: [ground-truth]
        target_tasks: [toy_subtract]
        non_target_tasks: [toy_max]

        """.utf8).write(to: url)
        return try CLI.run(["run", "--dry-run", url.path])
    }

    func testAServedSpecWithoutURLOrServerIsRefusedWithItsLine() throws {
        let r = try dryRunServedSpec("bad")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("bad.yaml:3") && r.stderr.contains("model.url") && r.stderr.contains("model.server"), r.stderr)

        let t = try dryRunServedSpec("typo", modelLines: "  server: {strat: \"vllm serve {base}\"}\n")
        XCTAssertEqual(t.status, 1)
        XCTAssertTrue(t.stderr.contains("typo.yaml:5") && t.stderr.contains("model.server.strat") && t.stderr.contains("did you mean 'start'"), t.stderr)
    }
}
