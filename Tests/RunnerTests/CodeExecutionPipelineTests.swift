import Foundation
import Harness
@testable import Runner
import Sandbox
import Tasks
import TestSupport
import XCTest

/// A code-execution task through the whole evaluation pipeline: programs run in the sandbox and
/// every sample records its outcome kind.
final class CodeExecutionPipelineTests: XCTestCase {
    /// Answers each prompt from a table (missing: an empty answer).
    struct AnswerModel: LanguageModel {
        var fingerprint = ModelFingerprint(sha256: String(repeating: "c", count: 64), files: ["answers"])
        var maxContextLength = 512
        var answers: [String: String]
        func loglikelihood(_ requests: [LoglikelihoodRequest]) async throws -> [LoglikelihoodResponse] { [] }
        func loglikelihoodRolling(_ requests: [RollingLoglikelihoodRequest]) async throws -> [RollingLoglikelihoodResponse] { [] }
        func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
            requests.map { GenerationResponse(text: answers[$0.context] ?? "", tokenCount: 1, finishReason: .stop) }
        }
    }

    /// A generate_until task named `name` over `records` (JSON lines, written as `data.jsonl` in a
    /// scratch directory), with the templates, settings and metrics given (each a YAML value);
    /// returns it and the directory.
    func codeTask(_ name: String, records: [String], id: String, prompt: String, target: String, generation: String,
                  metrics: String, training: String? = nil) throws -> (task: YAMLTask, directory: URL) {
        let directory = try scratchDirectory(prefix: "fb-code-\(name)")
        try records.joined(separator: "\n").write(to: directory.appendingPathComponent("data.jsonl"), atomically: true, encoding: .utf8)
        let file = directory.appendingPathComponent("\(name).yaml")
        try """
        name: \(name)
        output_type: generate_until
        dataset: {path: ./data.jsonl}
        id: "\(id)"
        prompt: "\(prompt)"
        target: "\(target)"
        generation: \(generation)
        metrics: \(metrics)
        \(training.map { "training: \($0)" } ?? "")
        """.write(to: file, atomically: true, encoding: .utf8)
        return (try YAMLTask(spec: TaskFileParser.parse(fileAt: file), dataRoot: directory), directory)
    }

    /// Evaluates `task` with `model` (recorded as `source`) through the whole pipeline, its
    /// programs run in `sandbox`; the run directory is `directory/run`.
    func evaluate(_ task: YAMLTask, with model: any LanguageModel, source: String, seed: UInt64, sandbox: Sandbox,
                  in directory: URL) async throws -> (results: EvaluationResults, output: URL) {
        var pipeline = EvaluationPipeline(model: model, modelRecord: ModelRecord(source: source, engine: "test", fingerprint: model.fingerprint),
                                          settings: EvaluationSettings(tasks: [task.name], limit: nil, seed: seed))
        pipeline.showsProgress = false
        pipeline.sandbox = sandbox
        let output = directory.appendingPathComponent("run")
        return (try await pipeline.run(tasks: [task], output: output), output)
    }

    func testSamplesRecordOutcomeKinds() async throws {
        let problems = [("double", "assert double(2) == 4"), ("square", "assert square(3) == 9"), ("inc", "assert inc(1) == 2"),
                        ("neg", "assert neg(1) == -1"), ("half", "assert half(4) == 2")]
        let (task, directory) = try codeTask("tiny_code", records: problems.map { #"{"name": "\#($0.0)", "test": "\#($0.1)"}"# },
                                             id: "{{name}}", prompt: "Write {{name}}.", target: "{{test}}", generation: "{max_tokens: 64}",
                                             metrics: "[{name: pass@1, type: code_execution}]")
        let model = AnswerModel(answers: [
            "Write double.": "```python\ndef double(x):\n    return 2 * x\n```",
            "Write square.": "```python\ndef square(x):\n    return x + x\n```",
            "Write inc.": "```python\ndef inc(x)\n    return x + 1\n```",
            "Write neg.": "```python\ndef neg(x):\n    while True:\n        pass\n```",
            "Write half.": "```python\ndef half(x):\n    return x / zero\n```",
        ])
        let limits = ResourceLimits(wallSeconds: 2, cpuSeconds: 2)
        let sandbox = try Sandbox(configuration: SandboxConfiguration(workers: 3, limits: limits, label: "fb-pipeline-test-\(UUID().uuidString.prefix(8))"))
        try SandboxRequirement.check(sandbox.checkAvailable)
        let (results, output) = try await evaluate(task, with: model, source: "answers", seed: 1, sandbox: sandbox, in: directory)
        XCTAssertEqual(try XCTUnwrap(results.task("tiny_code")?.metric("pass@1")).value, 0.2, accuracy: 1e-12)
        let loaded = try RunDirectory.load(output)
        let outcomes = try XCTUnwrap(loaded.samples["tiny_code"]).map { $0.outcome?.components(separatedBy: ":").first ?? "" }
        XCTAssertEqual(outcomes, ["passed", "failed_assertion", "syntax_error", "timeout", "runtime_error"])
        XCTAssertEqual(ProcessTable.processes(containing: sandbox.configuration.label), [])
    }

    /// Where the sandbox cannot work, a code task is refused before any model work, naming the fix.
    func testUnavailableSandboxIsRefusedUpFront() throws {
        let sandbox = try Sandbox(configuration: SandboxConfiguration(workers: 1, bubblewrap: "/nonexistent/bwrap"))
        let (task, _) = try codeTask("t", records: [#"{"q": "x"}"#], id: "{{q}}", prompt: "{{q}}", target: "{{q}}", generation: "{max_tokens: 4}",
                                     metrics: "[code_execution]")
        XCTAssertThrowsError(try EvaluationPipeline.sandbox(for: [task], given: sandbox)) { error in
            XCTAssertTrue("\(error)".contains(SandboxError.unconfinedFlag), "\(error)")
        }
        XCTAssertNil(try EvaluationPipeline.sandbox(for: [FixedChoiceTask(items: [])], given: sandbox), "no code task: no sandbox needed")
    }

    /// pass@1 and pass@5 from 10 answers per item: item i gets c_i correct answers (the model
    /// answers sample j correctly when j < c_i); each item's values equal the closed form
    /// 1 - C(10-c,k)/C(10,k), and the task's pass@k is their mean.
    func testPassAtKFromTenSamplesPerItem() async throws {
        let correct = [0, 1, 3, 6, 10]
        let (task, directory) = try codeTask("passk", records: correct.indices.map { #"{"i": \#($0)}"# },
                                             id: "{{i}}", prompt: "item {{i}}", target: "assert f() == 1",
                                             generation: "{max_tokens: 16, temperature: 0.8, samples: 10}",
                                             metrics: "[{name: pass@1, type: code_execution, k: 1}, {name: pass@5, type: code_execution, k: 5}]")
        XCTAssertEqual(task.generation?.samples, 10)

        /// Answers item i's sample j (recognised by its seed) correctly when j < correct[i].
        struct SampledModel: LanguageModel {
            var fingerprint = ModelFingerprint(sha256: String(repeating: "d", count: 64), files: ["sampled"])
            var maxContextLength = 512
            var correct: [Int]
            var sampleOfSeed: [UInt64: Int]
            func loglikelihood(_ requests: [LoglikelihoodRequest]) async throws -> [LoglikelihoodResponse] { [] }
            func loglikelihoodRolling(_ requests: [RollingLoglikelihoodRequest]) async throws -> [RollingLoglikelihoodResponse] { [] }
            func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
                requests.map { request in
                    let item = Int(request.context.dropFirst("item ".count))!
                    let j = sampleOfSeed[request.seed]!
                    let code = j < correct[item] ? "def f():\n    return 1" : (j % 2 == 0 ? "def f():\n    return 2" : "def f(:")
                    return GenerationResponse(text: "```python\n\(code)\n```", tokenCount: 1, finishReason: .stop)
                }
            }
        }
        let seed: UInt64 = 7
        var sampleOfSeed: [UInt64: Int] = [:]
        for j in 0 ..< 10 { sampleOfSeed[Evaluator.sampleSeed(seed, sample: j)] = j }
        XCTAssertEqual(sampleOfSeed.count, 10, "every sample has its own seed")
        let model = SampledModel(correct: correct, sampleOfSeed: sampleOfSeed)
        let sandbox = try Sandbox(configuration: SandboxConfiguration(workers: 4, label: "fb-passk-test-\(UUID().uuidString.prefix(8))"))
        try SandboxRequirement.check(sandbox.checkAvailable)
        let (results, output) = try await evaluate(task, with: model, source: "sampled", seed: seed, sandbox: sandbox, in: directory)

        func binomial(_ n: Int, _ k: Int) -> Double {
            guard k >= 0, k <= n else { return 0 }
            return (0 ..< k).reduce(1.0) { $0 * Double(n - $1) / Double($1 + 1) }
        }
        let samples = try XCTUnwrap(RunDirectory.load(output).samples["passk"])
        for (record, c) in zip(samples, correct) {
            XCTAssertEqual(record.values["samples"], 10)
            XCTAssertEqual(record.values["passed"], Double(c))
            for k in [1, 5] {
                XCTAssertEqual(try XCTUnwrap(record.values["pass@\(k)"]), 1 - binomial(10 - c, k) / binomial(10, k), accuracy: 1e-12, "item \(record.id), k \(k)")
            }
            let kinds = (record.outcome ?? "").components(separatedBy: "; ").map { $0.components(separatedBy: ":")[0] }
            XCTAssertEqual(kinds.count, 10)
            XCTAssertEqual(kinds.filter { $0 == "passed" }.count, c)
            XCTAssertEqual(Set(kinds).subtracting(["passed", "failed_assertion", "syntax_error"]), [])
            guard case let .generations(answers)? = Optional(record.response) else { return XCTFail("one response per sample") }
            XCTAssertEqual(answers.count, 10)
        }
        for k in [1, 5] {
            let expected = correct.map { 1 - binomial(10 - $0, k) / binomial(10, k) }.reduce(0, +) / Double(correct.count)
            XCTAssertEqual(try XCTUnwrap(results.task("passk")?.metric("pass@\(k)")).value, expected, accuracy: 1e-12)
        }
    }

    /// The self-output regime on a code task (MBPP as an experiment's target): the base model's
    /// answers to the training prompts are judged by running them against each item's tests in
    /// the sandbox, and only passing programs are kept.
    func testSelfOutputKeepsOnlyProgramsThatPass() async throws {
        let records = [(1, "assert f(2) == 4"), (2, "assert f(3) == 9"), (3, "assert f(1) == 0")]
        let (base, _) = try codeTask("tiny_code", records: records.map { #"{"id": \#($0.0), "test": "\#($0.1)", "code": "def f(x): pass"}"# },
                                     id: "{{id}}", prompt: "Problem {{id}}.", target: "{{test}}", generation: "{max_tokens: 64}",
                                     metrics: "[{name: pass@1, type: code_execution}]",
                                     training: "{dataset: {path: ./data.jsonl}, response: \"{{code}}\"}")
        let task = TrainableYAMLTask(base: base)
        // Problem 1: doubling passes; problem 2: doubling fails (squares wanted); problem 3: a syntax error.
        struct Answers: LanguageModel {
            var fingerprint = ModelFingerprint(sha256: String(repeating: "e", count: 64), files: ["answers"])
            var maxContextLength = 512
            func loglikelihood(_ requests: [LoglikelihoodRequest]) async throws -> [LoglikelihoodResponse] {
                requests.map { _ in LoglikelihoodResponse(logLikelihood: -1, isGreedy: false, tokenCount: 1) }
            }
            func loglikelihoodRolling(_ requests: [RollingLoglikelihoodRequest]) async throws -> [RollingLoglikelihoodResponse] { [] }
            func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
                requests.map { r in
                    let text = r.context.hasPrefix("Problem 3") ? "```python\ndef f(x) return 0\n```" : "```python\ndef f(x):\n    return 2 * x\n```"
                    return GenerationResponse(text: text, tokenCount: 1, finishReason: .stop)
                }
            }
        }
        let sandbox = try Sandbox(configuration: SandboxConfiguration(workers: 2, label: "fb-self-test-\(UUID().uuidString.prefix(8))"))
        try SandboxRequirement.check(sandbox.checkAvailable)
        var builder = DataRegimeBuilder(model: Answers(), task: task,
                                         sampling: .init(samples: 2, temperature: 0.8, topP: 1, maxTokens: nil, rephraseTemplate: "{prompt}"), seed: 3)
        builder.sandbox = sandbox
        let training = try task.trainingInstances(limit: nil)
        XCTAssertEqual(training.map(\.id), ["1", "2", "3"])
        XCTAssertEqual(task.groundTruthResponse(for: training[0]), "def f(x): pass")
        let (examples, summary) = try await builder.build(regime: "self-output", instances: training)
        XCTAssertEqual(examples.map(\.id), ["1"])
        XCTAssertEqual(summary.correctAnswers, 2, "both answers to problem 1 pass; none of the others")
        XCTAssertEqual(ProcessTable.processes(containing: sandbox.configuration.label), [])
    }
}

