import Foundation
import Harness
@testable import Tasks
import XCTest

/// Partial evaluation: one context per choice (`contexts:` in a task file), the same
/// continuation scored after each.
final class WinograndeTaskTests: XCTestCase {
    func testPerChoiceContextsFromATaskFile() throws {
        let dir = try TemporaryDirectory()
        try dir.write("data/w.jsonl", """
        {"context_options": ["The cup fell on the rug so the cup", "The cup fell on the rug so the rug"], "continuation": "broke.", "gold": 0}
        {"context_options": ["A beat B because A", "A beat B because B"], "continuation": "was slower.", "gold": "A beat B because B"}

        """)
        let file = try dir.write("tasks/w.yaml", """
        name: w
        output_type: multiple_choice
        dataset: {path: w.jsonl}
        preamble: "Fill in: "
        contexts: context_options
        choices: ["{{continuation}}"]
        gold: gold
        metrics: [acc]
        """)
        let task = try YAMLTask(spec: TaskFileParser.parse(fileAt: file), dataRoot: dir.url.appendingPathComponent("data"))
        let items = try task.renderInstances(limit: nil, seed: 0)
        XCTAssertEqual(items[0].choices, [" broke.", " broke."])
        XCTAssertEqual(items[0].choiceContexts, ["Fill in: The cup fell on the rug so the cup", "Fill in: The cup fell on the rug so the rug"])
        XCTAssertEqual(items[0].goldIndex, 0)
        XCTAssertEqual(items[1].goldIndex, 1, "a gold given as text names a context")
        XCTAssertEqual(items[0].choiceRequests, [
            LoglikelihoodRequest(context: "Fill in: The cup fell on the rug so the cup", continuation: " broke."),
            LoglikelihoodRequest(context: "Fill in: The cup fell on the rug so the rug", continuation: " broke."),
        ])
        // The item's identity covers both contexts (items pair across runs by it).
        XCTAssertNotEqual(items[0].shownText, items[0].prompt)

        // The context under which the continuation is likelier wins.
        let right = task.score(items[0], response: .choices([LoglikelihoodResponse(logLikelihood: -2, isGreedy: false, tokenCount: 2),
                                                              LoglikelihoodResponse(logLikelihood: -5, isGreedy: false, tokenCount: 2)]))
        XCTAssertEqual(right.values["acc"], 1)
        XCTAssertEqual(right.extractedAnswer, "Fill in: The cup fell on the rug so the cup", "the context chosen")
        XCTAssertEqual(items[0].target, "The cup fell on the rug so the cup broke.", "the gold context and its continuation")
        let wrong = task.score(items[1], response: .choices([LoglikelihoodResponse(logLikelihood: -2, isGreedy: false, tokenCount: 2),
                                                              LoglikelihoodResponse(logLikelihood: -5, isGreedy: false, tokenCount: 2)]))
        XCTAssertEqual(wrong.values["acc"], 0)
    }

    func testContextsAndChoicesMustPairUp() throws {
        let dir = try TemporaryDirectory()
        try dir.write("data/w.jsonl", #"{"c": ["a", "b", "c"], "k": ["x", "y"], "gold": 0}"# + "\n")
        let file = try dir.write("tasks/w.yaml", """
        name: w
        output_type: multiple_choice
        dataset: {path: w.jsonl}
        contexts: c
        choices: k
        gold: gold
        """)
        let task = try YAMLTask(spec: TaskFileParser.parse(fileAt: file), dataRoot: dir.url.appendingPathComponent("data"))
        let error = taskError { try task.renderInstances(limit: nil, seed: 0) }
        XCTAssertTrue(error?.description.contains("3 contexts but 2 choices") ?? false, error?.description ?? "")
    }

    func testFewShotWithContextsIsRefusedWithTheLine() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("w.yaml", """
        name: w
        output_type: multiple_choice
        dataset: {path: w.jsonl}
        contexts: c
        choices: ["{{k}}"]
        gold: gold
        fewshot: {k: 2}
        """)
        let error = taskError { try TaskFileParser.parse(fileAt: file) }
        XCTAssertTrue(error?.description.contains("w.yaml:7") ?? false, error?.description ?? "")
        XCTAssertTrue(error?.description.contains("not supported with per-choice 'contexts'") ?? false)
    }

    func testContextsOnAGenerationTaskIsAnError() throws {
        let error = taskError { try parseGenerationTask(then: "contexts: c") }
        XCTAssertTrue(error?.description.contains("'contexts' applies to multiple_choice tasks only") ?? false, error?.description ?? "")
    }

    func testShippedWinogrande() throws {
        let provider = YAMLTaskProvider(directories: [Paths.shippedTasks], dataRoot: try Paths.sharedData())
        let task = try XCTUnwrap(provider.yamlTask(named: "winogrande"))
        let items = try task.renderInstances(limit: nil, seed: 0)
        XCTAssertEqual(items.count, 1267)
        let first = items[0]
        XCTAssertEqual(first.choiceContexts, ["Sarah was a much better surgeon than Maria so Sarah", "Sarah was a much better surgeon than Maria so Maria"])
        XCTAssertEqual(first.choices, [" always got the easier cases.", " always got the easier cases."])
        XCTAssertEqual(first.goldIndex, 1)
        XCTAssertTrue(items.allSatisfy { $0.choiceContexts?.count == 2 && $0.choices.count == 2 && $0.choices[0] == $0.choices[1] })
    }
}
