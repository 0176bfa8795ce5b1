import Foundation
import TestSupport
import XCTest

/// `forgetbench run --dry-run`: a valid spec prints its plan (stages, requests and generated tokens
/// per task, each candidate's trainer command, what is done, a time estimate) and runs nothing; a
/// typo, or a scorer that tokenizes differently from the trained model, is refused with file and line.
final class DryRunTests: XCTestCase {
    var work: URL!
    override func setUpWithError() throws { work = try scratchDirectory(prefix: "forgetbench-cli") }

    func write(_ text: String, _ name: String = "spec.yaml") throws -> String {
        let url = work.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// The plan's row for `task`: (items, requests, generated tokens).
    func row(_ plan: String, _ task: String) throws -> (Int, Int, Int) {
        let line = try XCTUnwrap(plan.split(separator: "\n").first { $0.hasPrefix("  \(task) ") }, "no row for \(task) in:\n\(plan)")
        let numbers = line.split(separator: " ").compactMap { Int($0) }
        XCTAssertEqual(numbers.count, 4, String(line))
        return (numbers[0], numbers[1], numbers[2])
    }

    func testThePlanOfASpecWithExistingTasks() throws {
        let shared = try CLI.shared()
        let model = CLI.repositoryRoot.appendingPathComponent("models/toy-base").path
        let spec = try write("""
        name: dry
        model: {path: \(model), chat_format: plain}
        training_data: {task: toy_subtract, limit: 20}
        regimes: [ground-truth, "stm:2.5"]
        training:
          trainer: command
          command: "torchrun --nproc_per_node {gpus} integrations/hf/train.py --data {data} --settings {settings} --model {base} --output {output}"
          gpus: 4
          epochs: 2
        target_tasks: [toy_subtract]
        non_target_tasks: [gsm8k, arc_easy]
        evaluation: {limit: 10}
        seeds: [1, 2]

        """)
        let output = work.appendingPathComponent("run")
        let r = try CLI.run(["run", "--dry-run", spec, "--output", output.path, "--data-dir", shared.appendingPathComponent("data").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let plan = r.stdout
        XCTAssertTrue(plan.contains("the spec is valid"), plan)
        XCTAssertTrue(plan.contains("3. train 4 candidates (2 regimes x 2 seeds)"), plan)
        // gsm8k generates up to its max_tokens (256) per item; arc_easy asks one log-likelihood per choice.
        let gsm8k = try row(plan, "gsm8k")
        XCTAssertEqual(gsm8k.0, 10)
        XCTAssertEqual(gsm8k.1, 10)
        XCTAssertEqual(gsm8k.2, 10 * 256)
        let arc = try row(plan, "arc_easy")
        XCTAssertEqual(arc.0, 10)
        XCTAssertGreaterThanOrEqual(arc.1, 30, "one request per choice")
        XCTAssertEqual(arc.2, 0)
        XCTAssertEqual(try row(plan, "toy_subtract").1, 10)
        let stmModel = output.appendingPathComponent("candidates/stm-2.5/seed-2/model").path
        XCTAssertTrue(plan.contains("stm:2.5 seed 2 [to do]: torchrun --nproc_per_node 4 integrations/hf/train.py --data \(output.path)/candidates/stm-2.5/seed-2/train.jsonl --settings \(stmModel)/trainer-settings.json --model \(model) --output \(stmModel)"), plan)
        XCTAssertTrue(plan.contains("0 of 4 candidates trained"), plan)
        XCTAssertTrue(plan.contains("estimated accelerator time"), plan)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path), "a dry run writes nothing")
    }

    func testATypoIsRefusedWithFileLineAndKey() throws {
        let spec = try write("""
        name: typo
        model: {path: x}
        training_data: {task: toy_subtract}
        regimes: [ground-truth]
        trainng: {lr: 1e-3}
        target_tasks: [toy_subtract]
        non_target_tasks: [toy_max]

        """)
        let r = try CLI.run(["run", "--dry-run", spec])
        XCTAssertEqual(r.status, 1, r.stdout)
        XCTAssertTrue(r.stderr.contains("\(spec):5"), r.stderr)
        XCTAssertTrue(r.stderr.contains("trainng") && r.stderr.contains("training"), r.stderr)
    }

    func testAScorerWithAnotherTokenizerIsRefused() throws {
        let model = CLI.repositoryRoot.appendingPathComponent("models/toy-base").path
        let other = CLI.repositoryRoot.appendingPathComponent("Tests/Fixtures/hftrainer/tiny_llama").path
        let spec = try write("""
        name: tokenizers
        model: {path: \(model), chat_format: plain}
        scorer: {path: \(other)}
        training_data: {task: toy_subtract}
        regimes: ["stm:2.5"]
        target_tasks: [toy_subtract]
        non_target_tasks: [toy_max]

        """)
        let r = try CLI.run(["run", "--dry-run", spec])
        XCTAssertEqual(r.status, 1, r.stdout)
        XCTAssertTrue(r.stderr.contains("\(spec):3"), r.stderr)
        XCTAssertTrue(r.stderr.contains("the scorer's tokenizer is not the trained model's"), r.stderr)
    }

    /// The paper's specs, once the tasks they name (mbpp, math500, geoquery, arc_challenge, gsm8k) are registered.
    func testThePaperSpecsPlan() throws {
        let shared = try CLI.shared()
        let listing = try CLI.run(["tasks", "list", "--data-dir", shared.appendingPathComponent("data").path])
        XCTAssertEqual(listing.status, 0, listing.stderr)
        let names = Set(listing.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
        let needed = ["mbpp", "math500", "geoquery", "arc_challenge", "gsm8k"]
        let missing = needed.filter { !names.contains($0) }
        guard missing.isEmpty else { throw XCTSkip("tasks not registered in this build: \(missing.joined(separator: ", "))") }
        let directory = CLI.repositoryRoot.appendingPathComponent("experiments/paper")
        let specs = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertEqual(specs, ["gemma2-2b-math.yaml", "gemma2-2b-mbpp.yaml", "llama3-8b-mbpp.yaml"])
        for spec in specs {
            let r = try CLI.run(["run", "--dry-run", directory.appendingPathComponent(spec).path, "--output", work.appendingPathComponent(spec).path,
                                 "--data-dir", shared.appendingPathComponent("data").path])
            XCTAssertEqual(r.status, 0, "\(spec): \(r.stderr)")
            XCTAssertTrue(r.stdout.contains("train 21 candidates (7 regimes x 3 seeds)"), r.stdout)
            XCTAssertTrue(r.stdout.contains("accelerate launch --num_processes 8 integrations/hf/train.py"), r.stdout)
            XCTAssertTrue(r.stdout.contains("evaluation through a server (model.kind: openai)") && r.stdout.contains("start: env VLLM_ALLOW_RUNTIME_LORA_UPDATING=True vllm serve"), r.stdout)
        }
    }
}
