import Foundation
import Harness
@testable import Runner
import Sandbox
import Tasks
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

    func testSamplesRecordOutcomeKinds() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fb-code-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let problems = [("double", "assert double(2) == 4"), ("square", "assert square(3) == 9"), ("inc", "assert inc(1) == 2"),
                        ("neg", "assert neg(1) == -1"), ("half", "assert half(4) == 2")]
        let lines = problems.map { #"{"name": "\#($0.0)", "test": "\#($0.1)"}"# }
        try lines.joined(separator: "\n").write(to: directory.appendingPathComponent("code.jsonl"), atomically: true, encoding: .utf8)
        let taskFile = directory.appendingPathComponent("code.yaml")
        try """
        name: tiny_code
        output_type: generate_until
        dataset: {path: ./code.jsonl}
        id: "{{name}}"
        prompt: "Write {{name}}."
        target: "{{test}}"
        generation: {max_tokens: 64}
        metrics:
          - {name: pass@1, type: code_execution}
        """.write(to: taskFile, atomically: true, encoding: .utf8)
        let task = try YAMLTask(spec: TaskFileParser.parse(fileAt: taskFile), dataRoot: directory)
        let model = AnswerModel(answers: [
            "Write double.": "```python\ndef double(x):\n    return 2 * x\n```",
            "Write square.": "```python\ndef square(x):\n    return x + x\n```",
            "Write inc.": "```python\ndef inc(x)\n    return x + 1\n```",
            "Write neg.": "```python\ndef neg(x):\n    while True:\n        pass\n```",
            "Write half.": "```python\ndef half(x):\n    return x / zero\n```",
        ])
        let limits = ResourceLimits(wallSeconds: 2, cpuSeconds: 2)
        let sandbox = try Sandbox(configuration: SandboxConfiguration(workers: 3, limits: limits, label: "fb-pipeline-test-\(UUID().uuidString.prefix(8))"))
        do { try sandbox.checkAvailable() } catch {
            if ProcessInfo.processInfo.environment["CI"] != nil { throw error }
            throw XCTSkip("no sandbox here: \(error)")
        }
        var pipeline = EvaluationPipeline(model: model, modelRecord: ModelRecord(source: "answers", engine: "test", fingerprint: model.fingerprint),
                                          settings: EvaluationSettings(tasks: ["tiny_code"], limit: nil, seed: 1))
        pipeline.showsProgress = false
        pipeline.sandbox = sandbox
        let output = directory.appendingPathComponent("run")
        let results = try await pipeline.run(tasks: [task], output: output)
        XCTAssertEqual(try XCTUnwrap(results.task("tiny_code")?.metric("pass@1")).value, 0.2, accuracy: 1e-12)
        let loaded = try RunDirectory.load(output)
        let outcomes = try XCTUnwrap(loaded.samples["tiny_code"]).map { $0.outcome?.components(separatedBy: ":").first ?? "" }
        XCTAssertEqual(outcomes, ["passed", "failed_assertion", "syntax_error", "timeout", "runtime_error"])
        XCTAssertEqual(ProcessTable.processes(containing: sandbox.configuration.label), [])
    }

    /// Where the sandbox cannot work, a code task is refused before any model work, naming the fix.
    func testUnavailableSandboxIsRefusedUpFront() throws {
        let sandbox = try Sandbox(configuration: SandboxConfiguration(workers: 1, bubblewrap: "/nonexistent/bwrap"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fb-code-refuse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try #"{"q": "x"}"#.write(to: directory.appendingPathComponent("d.jsonl"), atomically: true, encoding: .utf8)
        let file = directory.appendingPathComponent("t.yaml")
        try "name: t\noutput_type: generate_until\ndataset: {path: ./d.jsonl}\nprompt: \"{{q}}\"\ntarget: \"{{q}}\"\ngeneration: {max_tokens: 4}\nmetrics: [code_execution]\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let task = try YAMLTask(spec: TaskFileParser.parse(fileAt: file), dataRoot: directory)
        XCTAssertThrowsError(try EvaluationPipeline.sandbox(for: [task], given: sandbox)) { error in
            XCTAssertTrue("\(error)".contains(SandboxError.unconfinedFlag), "\(error)")
        }
        XCTAssertNil(try EvaluationPipeline.sandbox(for: [FixedChoiceTask(items: [])], given: sandbox), "no code task: no sandbox needed")
    }
}
