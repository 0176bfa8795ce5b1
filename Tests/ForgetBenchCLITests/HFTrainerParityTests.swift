import Foundation
import TestSupport
import XCTest

/// `integrations/hf/train.py` (PyTorch + transformers + PEFT), run by `forgetbench train
/// --trainer-command`, against the built-in trainer on the same masked file and settings: the loss of
/// each of 10 optimiser steps agrees within 1e-4 relative, for LoRA and for full fine-tuning, and what
/// it writes loads in the built-in engine and scores text as the built-in trainer's output does.
///
/// The model is Tests/Fixtures/hftrainer/tiny_llama (scripts/reference/make_hftrainer_fixture.py).
/// Python comes from the venv `scripts/setup.sh` makes outside the repository (`FORGETBENCH_VENV`,
/// default ~/.cache/forgetbench/venv); without it the tests skip, saying why, except under CI
/// (`CI` set, or `FORGETBENCH_REQUIRE_VENV`, which scripts/test sets), where they fail.
final class HFTrainerParityTests: XCTestCase {
    var work: URL!
    override func setUpWithError() throws { work = try scratchDirectory(prefix: "forgetbench-cli") }

    static let fixture = CLI.repositoryRoot.appendingPathComponent("Tests/Fixtures/hftrainer")
    static let script = CLI.repositoryRoot.appendingPathComponent("integrations/hf/train.py")

    /// The venv's python, once it is known to import what train.py needs.
    func python() throws -> String {
        try ReferenceVenv.python(importing: ["torch", "transformers", "peft", "accelerate", "safetensors", "numpy"])
    }

    /// The fixture's 12 training examples (and `extra` lines), masked by `forgetbench mask` under `regime`.
    func maskedData(extra: String = "", regime: String = "ground-truth") throws -> URL {
        let input = work.appendingPathComponent("train.jsonl")
        try (try Data(contentsOf: Self.fixture.appendingPathComponent("train.jsonl")) + Data(extra.utf8)).write(to: input)
        let output = work.appendingPathComponent("train.\(regime).jsonl")
        let r = try CLI.run(["mask", "--model", Self.fixture.appendingPathComponent("tiny_llama").path,
                             "--input", input.path, "--regime", regime, "--output", output.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        return output
    }

    func losses(_ directory: URL) throws -> [Double] {
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("training.json"))) as? [String: Any])
        return try XCTUnwrap(json["losses"] as? [Double], "\(directory.path)/training.json has no losses")
    }

    /// Per-token log-probs of a few texts under `model` (+ `adapter`).
    func scores(model: URL, adapter: URL? = nil) throws -> [Double] {
        let input = work.appendingPathComponent("texts.jsonl")
        try Data("{\"text\": \"What do bees make? Bees make honey in their hives.\"}\n{\"text\": \"Count from one to three. One, two, three.\"}\n".utf8).write(to: input)
        let output = work.appendingPathComponent("scores-\(UUID().uuidString).jsonl")
        let r = try CLI.run(["perplexity", "--model", model.path, "--input", input.path, "--output", output.path] + (adapter.map { ["--adapter", $0.path] } ?? []))
        XCTAssertEqual(r.status, 0, r.stderr)
        var values: [Double] = []
        for line in try String(contentsOf: output, encoding: .utf8).split(separator: "\n") {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            values += try XCTUnwrap(object["logprobs"] as? [Any], "perplexity output: \(line)").compactMap { $0 as? Double }
        }
        XCTAssertGreaterThan(values.count, 10)
        return values
    }

    /// Trains with both trainers and returns (built-in losses, PyTorch losses, built-in output, PyTorch output).
    func trainBoth(_ options: [String], regime: String = "ground-truth") throws -> ([Double], [Double], URL, URL) {
        let python = try python()
        let data = try maskedData(regime: regime)
        let model = Self.fixture.appendingPathComponent("tiny_llama").path
        // 12 examples, 3 per micro-batch, 2 micro-batches per step: 2 steps per epoch, 10 in all.
        let common = ["train", "--model", model, "--data", data.path, "--epochs", "5", "--batch-size", "3", "--grad-accum", "2",
                      "--warmup", "2", "--weight-decay", "0.01", "--max-grad-norm", "1", "--seed", "11", "--max-seq-len", "64"] + options
        let native = work.appendingPathComponent("native-\(regime)")
        let n = try CLI.run(common + ["--checkpoint-every", "0", "--output", native.path])
        XCTAssertEqual(n.status, 0, n.stderr)
        let torch = work.appendingPathComponent("torch-\(regime)")
        let command = "\(python) '\(Self.script.path)' --data {data} --settings {settings} --model {base} --output {output}"
        let t = try CLI.run(common + ["--trainer-command", command, "--output", torch.path])
        XCTAssertEqual(t.status, 0, t.stderr + t.stdout)
        XCTAssertTrue(t.stderr.contains("step 10/10"), "the trainer's step lines are shown: \(t.stderr)")
        let log = try String(contentsOf: torch.appendingPathComponent("trainer.log"), encoding: .utf8)
        XCTAssertTrue(log.contains("step 10/10") && log.contains("[trainer exited with status 0]"), log)
        return (try losses(native), try losses(torch), native, torch)
    }

    /// The two curves agree within 1e-4 relative at every step, and the loss falls by at least `drop`.
    func assertSameCurve(_ native: [Double], _ torch: [Double], drop: Double = 0.05, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(native.count, 10, file: file, line: line)
        XCTAssertEqual(torch.count, 10, file: file, line: line)
        let relative = zip(native, torch).map { abs($0 - $1) / abs($0) }
        print("max relative loss difference per step: \(relative.map { String(format: "%.2e", $0) }.joined(separator: " "))")
        XCTAssertLessThan(relative.max() ?? .infinity, 1e-4, "built-in \(native) vs PyTorch \(torch)", file: file, line: line)
        // The curve moves: a constant one would agree trivially.
        XCTAssertLessThan(native.last!, native.first! - drop, "\(native)", file: file, line: line)
    }

    func testLoRALossCurveMatchesTheBuiltInTrainerAndTheAdapterLoads() throws {
        let (native, torch, nativeOut, torchOut) = try trainBoth(["--lr", "1e-2", "--lora-rank", "4", "--lora-alpha", "8"])
        assertSameCurve(native, torch)
        let model = Self.fixture.appendingPathComponent("tiny_llama")
        let a = try scores(model: model, adapter: nativeOut)
        let b = try scores(model: model, adapter: torchOut)
        let base = try scores(model: model)
        XCTAssertEqual(a.count, b.count)
        XCTAssertLessThan(zip(a, b).map { abs($0 - $1) }.max()!, 1e-3, "the two adapters score alike")
        XCTAssertGreaterThan(zip(a, base).map { abs($0 - $1) }.max()!, 1e-2, "the adapter changes the model")

        // `forgetbench eval --adapter` evaluates with it and records its fingerprint.
        let evaluation = work.appendingPathComponent("eval")
        let e = try CLI.run(["eval", "--model", model.path, "--adapter", torchOut.path, "--tasks", "toy_max", "--limit", "5", "--output", evaluation.path])
        XCTAssertEqual(e.status, 0, e.stderr)
        let results = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: evaluation.appendingPathComponent("results.json"))) as? [String: Any])
        let adapter = try XCTUnwrap((results["model"] as? [String: Any])?["adapter"] as? [String: Any], "results.json names no adapter")
        XCTAssertEqual(adapter["files"] as? [String], ["adapter_config.json", "adapter_model.safetensors"])
    }

    func testFullFineTuningLossCurveMatchesTheBuiltInTrainerAndTheModelLoads() throws {
        let (native, torch, nativeOut, torchOut) = try trainBoth(["--full", "--lr", "3e-3"])
        assertSameCurve(native, torch)
        let a = try scores(model: nativeOut)
        let b = try scores(model: torchOut)
        XCTAssertLessThan(zip(a, b).map { abs($0 - $1) }.max()!, 1e-3, "the two models score alike")
    }

    /// Runs `executable` (from the venv) with `arguments` and `environment` added; returns its exit status and output.
    func runPython(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        try CombinedOutput.run(URL(fileURLWithPath: executable), arguments, environment: environment)
    }

    /// Data-parallel training keeps the token-mean loss: two processes under `torchrun` (gloo, CPU), each
    /// with micro-batches of 3 and 2 accumulation steps (no gradient sync on the first), give the loss
    /// curve of one process with micro-batches of 6. 13 examples: each epoch ends with a step of one
    /// example, where the second process has none and joins with a zero-weight pass.
    func testTwoProcessesUnderTorchrunGiveTheCurveOfOne() throws {
        let python = try python()
        let data = try maskedData(extra: "{\"prompt\": \"Name a large animal.\", \"response\": \" An elephant is large.\"}\n")
        let model = Self.fixture.appendingPathComponent("tiny_llama").path
        func settings(_ batch: Int) throws -> String {
            let url = work.appendingPathComponent("settings-\(batch).json")
            try Data("{\"method\": \"full\", \"learning_rate\": 3e-3, \"epochs\": 2, \"batch_size\": \(batch), \"gradient_accumulation\": 2, \"warmup_steps\": 1, \"seed\": 5, \"weight_decay\": 0.01}".utf8).write(to: url)
            return url.path
        }
        let one = work.appendingPathComponent("one"), two = work.appendingPathComponent("two")
        let single = try runPython(python, [Self.script.path, "--data", data.path, "--settings", try settings(6), "--model", model, "--output", one.path])
        XCTAssertEqual(single.0, 0, single.1)
        let torchrun = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("torchrun").path
        let parallel = try runPython(torchrun, ["--standalone", "--nproc_per_node", "2", Self.script.path, "--data", data.path, "--settings", try settings(3),
                                                "--model", model, "--output", two.path], environment: ["ACCELERATE_USE_CPU": "true", "OMP_NUM_THREADS": "1"])
        XCTAssertEqual(parallel.0, 0, parallel.1)
        XCTAssertTrue(parallel.1.contains("2 process(es)"), parallel.1)
        let a = try losses(one), b = try losses(two)
        XCTAssertEqual(a.count, 4)
        XCTAssertEqual(b.count, 4)
        let relative = zip(a, b).map { abs($0 - $1) / abs($0) }
        print("two processes against one, relative loss difference per step: \(relative.map { String(format: "%.2e", $0) }.joined(separator: " "))")
        XCTAssertLessThan(relative.max() ?? .infinity, 1e-5, "one process \(a) vs two \(b)")
        XCTAssertNotEqual(a[1], a[3], "the curve moves")
    }

    /// `score.py` serves a model's token log-probs to `forgetbench mask --model openai:URL`: the masks
    /// equal those of in-process scoring (top-fraction ranks every response token by its score), and the
    /// per-token perplexities agree within 1e-4.
    func testScorePyGivesMaskTheInProcessScores() throws {
        let python = try python()
        let model = Self.fixture.appendingPathComponent("tiny_llama")
        let server = Process()
        server.executableURL = URL(fileURLWithPath: python)
        server.arguments = [CLI.repositoryRoot.appendingPathComponent("integrations/hf/score.py").path, "--model", model.path, "--port", "0"]
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        let line = try XCTUnwrap(ServeCommandTests.LineReader(out.fileHandleForReading).firstLine(timeout: 120), "score.py printed no listening line")
        let prefix = "score.py: listening on "
        XCTAssertTrue(line.hasPrefix(prefix), line)
        let input = Self.fixture.appendingPathComponent("train.jsonl").path
        let remote = work.appendingPathComponent("remote.jsonl"), local = work.appendingPathComponent("local.jsonl")
        let r = try CLI.run(["mask", "--model", "openai:" + line.dropFirst(prefix.count), "--model-name", "score", "--tokenizer",
                             model.appendingPathComponent("tokenizer.json").path, "--input", input, "--regime", "top-fraction:0.25", "--output", remote.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let l = try CLI.run(["mask", "--model", model.path, "--input", input, "--regime", "top-fraction:0.25", "--output", local.path])
        XCTAssertEqual(l.status, 0, l.stderr)
        let a = try CLI.jsonLines(remote), b = try CLI.jsonLines(local)
        XCTAssertEqual(a.count, 12)
        XCTAssertEqual(a.count, b.count)
        var worst = 0.0, masked = 0
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x["input_ids"] as? [Int], y["input_ids"] as? [Int])
            XCTAssertEqual(x["labels"] as? [Int], y["labels"] as? [Int])
            masked += (y["labels"] as? [Int] ?? []).count { $0 == -100 }
            for (p, q) in zip(x["ppl"] as? [Any] ?? [], y["ppl"] as? [Any] ?? []) {
                if let p = p as? Double, let q = q as? Double { worst = max(worst, abs(p - q) / q) }
            }
        }
        XCTAssertGreaterThan(masked, 0)
        XCTAssertLessThan(worst, 1e-4, "per-token perplexities through score.py against in-process")
    }

    func testDataOfAnotherTokenizerIsRefusedByTheScript() throws {
        let python = try python()
        let data = try maskedData()
        let manifest = data.deletingPathExtension().appendingPathExtension("manifest.json")
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: manifest)) as? [String: Any])
        json["tokenizer_sha256"] = String(repeating: "0", count: 64)
        try JSONSerialization.data(withJSONObject: json).write(to: manifest)
        let settings = work.appendingPathComponent("settings.json")
        try Data("{\"method\": \"lora\", \"epochs\": 1}".utf8).write(to: settings)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Self.script.path, "--data", data.path, "--settings", settings.path,
                             "--model", Self.fixture.appendingPathComponent("tiny_llama").path, "--output", work.appendingPathComponent("out").path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 2, message)
        XCTAssertTrue(message.contains("another tokenizer") && message.contains(manifest.path), message)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("out/adapter_model.safetensors").path))
    }

    /// A `soft` set (per-token loss weights, the base probability of each token): train.py weights each
    /// target's cross-entropy as the built-in trainer does, so the curves agree; and the weights are
    /// applied, not dropped: the first step's loss is below the ground-truth set's on the same batch.
    func testSoftSetLossCurveMatchesTheBuiltInTrainer() throws {
        let options = ["--lr", "1e-2", "--lora-rank", "4", "--lora-alpha", "8"]
        let (native, torch, _, _) = try trainBoth(options, regime: "soft")
        XCTAssertTrue(try String(contentsOf: work.appendingPathComponent("train.soft.jsonl"), encoding: .utf8).contains("\"weights\""),
                      "mask --regime soft writes weights")
        // The untrained tiny model gives every token a small probability, so the weighted loss is small:
        // the curve must fall by 5% of its start.
        assertSameCurve(native, torch, drop: 0.05 * native[0])
        let (groundTruth, _, _, _) = try trainBoth(options)
        XCTAssertLessThan(native[0], groundTruth[0] / 10, "soft \(native[0]) vs ground truth \(groundTruth[0])")
    }
}
