import Foundation
import Harness
@testable import Tasks
import XCTest

/// A task file's `training:` split: rendered with the task's prompt, its own target and response.
final class TrainingSplitTests: XCTestCase {
    var dir: TemporaryDirectory!

    override func setUpWithError() throws { dir = try TemporaryDirectory() }
    override func tearDown() { dir = nil }

    func makeTask(trainingFile: String = "train.jsonl") throws -> any EvaluationTask {
        try dir.write("data/test.jsonl", #"{"q": "1+1", "a": "2"}"# + "\n")
        try dir.write("data/train.jsonl", #"{"q": "2+2", "work": "2+2 is \\boxed{4}"}"# + "\n" + #"{"q": "3+3", "work": "so \\boxed{6}."}"# + "\n")
        try dir.write("tasks/t.yaml", """
        name: t
        output_type: generate_until
        dataset: {path: test.jsonl}
        preamble: "Answer. "
        prompt: "Q: {{q}}\\nA:"
        target: "{{a}}"
        generation: {max_tokens: 8}
        metrics: [math_equivalence]
        training:
          dataset: {path: \(trainingFile), sha256: \(try ContentHash.sha256(fileAt: dir.url.appendingPathComponent("data/train.jsonl")))}
          target: "{{work | last_boxed}}"
          response: " {{work}}"
        """)
        let provider = YAMLTaskProvider(directories: [dir.url.appendingPathComponent("tasks")], dataRoot: dir.url.appendingPathComponent("data"))
        return try XCTUnwrap(provider.task(named: "t"))
    }

    func testTrainingItemsAndResponses() throws {
        let task = try makeTask()
        let trainable = try XCTUnwrap(task as? any TrainableTask)
        let items = try trainable.trainingInstances(limit: nil)
        XCTAssertEqual(items.map(\.id), ["train-0", "train-1"])
        XCTAssertEqual(items.map(\.prompt), ["Answer. Q: 2+2\nA:", "Answer. Q: 3+3\nA:"])
        XCTAssertEqual(items.map(\.target), ["4", "6"])
        XCTAssertEqual(items.map { trainable.groundTruthResponse(for: $0) }, [" 2+2 is \\boxed{4}", " so \\boxed{6}."])
        XCTAssertEqual(trainable.correctnessMetric, "math_equivalence")
        // A response is judged by the task's own scorer (the self-output regime keeps correct ones).
        XCTAssertEqual(trainable.score(items[1], response: .generation(GenerationResponse(text: " \\boxed{6}", tokenCount: 1, finishReason: .stop))).values["math_equivalence"], 1)
        XCTAssertEqual(try trainable.instances(limit: nil, seed: 0).map(\.prompt), ["Answer. Q: 1+1\nA:"])
    }

    func testAMissingTrainingFileOnlyMattersWhenTraining() throws {
        let task = try makeTask(trainingFile: "absent.jsonl")
        XCTAssertEqual(try task.instances(limit: nil, seed: 0).count, 1, "evaluation does not need the training split")
        let error = taskError { try (task as! TrainableYAMLTask).renderTrainingInstances(limit: nil) }
        XCTAssertTrue(error?.description.contains("absent.jsonl") ?? false, error?.description ?? "")
    }

    func testTrainingOnAMultipleChoiceTaskIsAnError() throws {
        let file = try dir.write("t.yaml", """
        name: t
        output_type: multiple_choice
        dataset: {path: x.jsonl}
        prompt: "{{q}}"
        choices: c
        gold: g
        training: {dataset: {path: y.jsonl}, response: "{{r}}"}
        """)
        let error = taskError { try TaskFileParser.parse(fileAt: file) }
        XCTAssertTrue(error?.description.contains("t.yaml:7") ?? false, error?.description ?? "")
        XCTAssertTrue(error?.description.contains("'training' applies to generate_until tasks only") ?? false, error?.description ?? "")
    }
}
