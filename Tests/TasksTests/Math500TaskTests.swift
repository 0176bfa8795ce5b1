import Foundation
import Harness
@testable import Tasks
import XCTest

final class Math500TaskTests: XCTestCase {
    func provider() throws -> YAMLTaskProvider {
        YAMLTaskProvider(directories: [Paths.shippedTasks], dataRoot: try Paths.sharedData())
    }

    func generation(_ text: String) -> ModelResponse {
        .generation(GenerationResponse(text: text, tokenCount: 1, finishReason: .stop))
    }

    func testCanonicalAnswersScoreFullMarks() throws {
        let task = try XCTUnwrap(provider().yamlTask(named: "math500"))
        let items = try task.renderInstances(limit: nil, seed: 0)
        XCTAssertEqual(items.count, 500)
        XCTAssertEqual(items[0].id, "test/precalculus/807.json")
        XCTAssertEqual(items[0].target, "\\left( 3, \\frac{\\pi}{2} \\right)")
        XCTAssertTrue(items[0].prompt.hasPrefix("Solve the problem. Write the final answer as \\boxed{ANSWER}.\n\nProblem: Convert the point"))
        for item in items {
            let score = task.score(item, response: generation(" The answer is $\\boxed{\(item.target)}$."))
            XCTAssertEqual(score.values["math_equivalence"], 1, "\(item.id): \(item.target)")
            XCTAssertEqual(score.outcome, "equivalent")
            XCTAssertEqual(score.extractedAnswer, item.target)
        }
        // The reference solutions' own last \boxed{} agrees with the answer field too.
        var agreeing = 0
        let records = try task.records()
        for (item, record) in zip(items, records) {
            guard case let .object(fields) = record.value, case let .string(solution) = fields["solution"] else { return XCTFail() }
            if task.score(item, response: generation(solution)).values["math_equivalence"] == 1 { agreeing += 1 }
        }
        XCTAssertGreaterThanOrEqual(agreeing, 495, "solutions whose boxed answer matches the answer field")
        // A wrong answer, and no answer.
        XCTAssertEqual(task.score(items[0], response: generation("\\boxed{(3, \\pi)}")).values["math_equivalence"], 0)
        XCTAssertEqual(task.score(items[0], response: generation("(3, pi/2)")).outcome, "no_answer")
    }

    func testTrainingSplitIsHendrycksTrainWithSolutionsAsResponses() throws {
        let task = try XCTUnwrap(provider().task(named: "math500") as? TrainableYAMLTask)
        let rendered = try task.renderTrainingInstances(limit: nil)
        XCTAssertEqual(rendered.count, 7500)
        XCTAssertEqual(Set(rendered.map(\.instance.id)).count, 7500)
        let first = rendered[0]
        XCTAssertEqual(first.instance.id, "train/algebra/0.json", "training items take the task's id template (MATH's unique_id)")
        XCTAssertTrue(first.instance.prompt.hasPrefix("Solve the problem. Write the final answer as \\boxed{ANSWER}.\n\nProblem: "))
        XCTAssertTrue(first.response.hasPrefix(" "))
        XCTAssertEqual(MathAnswerExtraction.lastBoxed(in: first.response), first.instance.target)
        XCTAssertEqual(task.groundTruthResponse(for: first.instance), first.response)
        XCTAssertEqual(task.correctnessMetric, "math_equivalence")
        // Its own solution is judged correct (what the self-output regime keeps).
        for (instance, response) in rendered.prefix(200) {
            XCTAssertEqual(task.score(instance, response: generation(response)).values["math_equivalence"], 1, instance.id)
        }
        XCTAssertEqual(try task.trainingInstances(limit: 3).count, 3)
    }

    func testGeoQueryTrainingSplit() throws {
        let task = try XCTUnwrap(provider().task(named: "geoquery") as? TrainableYAMLTask)
        let rendered = try task.renderTrainingInstances(limit: nil)
        XCTAssertEqual(rendered.count, 549)
        XCTAssertEqual(rendered[0].response, " " + rendered[0].instance.target)
        XCTAssertTrue(rendered.allSatisfy { !$0.instance.target.contains("state_name0") && !$0.instance.prompt.contains("state_name0") })
        for (instance, response) in rendered.prefix(50) {
            XCTAssertEqual(task.score(instance, response: generation(response)).values["execution_accuracy"], 1, instance.id)
        }
        // Tasks without a training split are not trainable.
        XCTAssertFalse(try provider().task(named: "winogrande") is any TrainableTask)
    }
}
