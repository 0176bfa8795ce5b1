import Foundation
import Harness
@testable import Tasks
import XCTest

/// The task files under `tasks/`, on the real data in `../shared/data`.
final class ShippedTaskTests: XCTestCase {
    static let expectedCounts: [String: Int] = [
        "gsm8k": 1319, "gsm8k_answers_rolling": 1319, "arc_easy": 2376, "arc_challenge": 1172,
        "boolq": 3270, "piqa": 1838, "wikisql": 100, "wikisql_rolling": 100,
        "winogrande": 1267, "math500": 500, "geoquery": 279, "mbpp": 500, "humaneval": 164,
    ]

    func provider() throws -> YAMLTaskProvider {
        YAMLTaskProvider(directories: [Paths.shippedTasks], dataRoot: try Paths.sharedData())
    }

    func testEveryShippedFileParses() throws {
        let provider = YAMLTaskProvider(directories: [Paths.shippedTasks], dataRoot: Paths.fixtureData)
        let specs = try provider.specs()
        XCTAssertEqual(Set(specs.map(\.name)), Set(Self.expectedCounts.keys))
        for spec in specs {
            XCTAssertNotNil(spec.dataset.sha256, spec.name)
            XCTAssertNotNil(spec.dataset.url, spec.name)
            XCTAssertFalse(spec.description.isEmpty, spec.name)
        }
    }

    func testEveryShippedTaskRendersOnRealData() throws {
        let provider = try provider()
        for name in try provider.taskNames() {
            let task = try XCTUnwrap(provider.yamlTask(named: name))
            let items = try task.renderInstances(limit: nil, seed: 1234)
            XCTAssertEqual(items.count, Self.expectedCounts[name], name)
            XCTAssertEqual(Set(items.map(\.id)).count, items.count, "\(name): ids are not unique")
            let first = try XCTUnwrap(items.first)
            // With per-choice contexts the shared prompt may be empty; the contexts are not.
            XCTAssertFalse(first.choiceContexts?.first ?? first.prompt == "", name)
            if task.outputType == .multipleChoice {
                XCTAssertNotNil(first.goldIndex, name)
                XCTAssertGreaterThanOrEqual(first.choices.count, 2, name)
            }
        }
    }

    func testArcEasyFirstItemExactly() throws {
        let task = try XCTUnwrap(provider().yamlTask(named: "arc_easy"))
        let item = try task.renderInstances(limit: 1, seed: 0)[0]
        XCTAssertEqual(item.id, "0")
        XCTAssertEqual(item.prompt, "Question: Which statement best explains why photosynthesis is the foundation of most food webs?\nAnswer:")
        XCTAssertEqual(item.choices, [
            " Sunlight is the source of energy for nearly all ecosystems.",
            " Most ecosystems are found on land instead of in water.",
            " Carbon dioxide is more available than other gases.",
            " The producers in all ecosystems are plants.",
        ])
        XCTAssertEqual(item.goldIndex, 0)
        XCTAssertEqual(item.target, "Sunlight is the source of energy for nearly all ecosystems.")
        XCTAssertEqual(task.metrics.map(\.name), ["acc", "acc_norm"])
        XCTAssertEqual(task.metrics.map(\.direction), [.higherIsBetter, .higherIsBetter])
    }

    func testGSM8KPromptTargetAndExtraction() throws {
        let task = try XCTUnwrap(provider().yamlTask(named: "gsm8k"))
        XCTAssertEqual(task.generation, GenerationSettings(stopSequences: ["\n\nQuestion:", "Question:"], maxTokens: 256))
        XCTAssertEqual(task.metrics.map(\.name), ["exact_match_strict", "exact_match_flexible"])
        let items = try task.renderInstances(limit: nil, seed: 0)
        let first = items[0]
        XCTAssertEqual(first.target, "18")
        let parts = first.prompt.components(separatedBy: "\n\nQuestion: ")
        XCTAssertEqual(parts.count, 6, "5 shots and the item")
        XCTAssertTrue(first.prompt.hasPrefix("Question: "))
        XCTAssertTrue(first.prompt.hasSuffix("Question: Janet’s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck egg. How much in dollars does she make every day at the farmers' market?\nAnswer:"))
        for shot in parts.dropLast() {
            XCTAssertTrue(shot.contains("\nAnswer: ") && shot.range(of: "#### -?[0-9,]+$", options: .regularExpression) != nil, shot)
        }
        // The fixed few-shot seed makes the prompts independent of the run seed.
        XCTAssertEqual(try task.renderInstances(limit: 3, seed: 99), Array(items.prefix(3)))

        // The real reference answers score 1 under both extractors, commas included.
        let records = try task.records()
        var commaTargets = 0
        for (item, record) in zip(items, records) {
            guard case let .object(fields) = record.value, case let .string(answer) = fields["answer"] else { return XCTFail() }
            if item.target.contains(",") { commaTargets += 1 }
            let score = task.score(item, response: .generation(GenerationResponse(text: " " + answer, tokenCount: 1, finishReason: .stop)))
            XCTAssertEqual(score.values, ["exact_match_strict": 1, "exact_match_flexible": 1], "\(item.id): \(answer)")
        }
        XCTAssertEqual(commaTargets, 14)
        let withComma = try XCTUnwrap(items.first { $0.target == "114,200" })
        let score = task.score(withComma, response: .generation(GenerationResponse(text: " so it is 114200 dollars.\n#### 114,200", tokenCount: 1, finishReason: .stop)))
        XCTAssertEqual(score.values, ["exact_match_strict": 1, "exact_match_flexible": 1])
        XCTAssertEqual(score.extractedAnswer, "114200")
    }

    func testWikiSQLPromptAndNormalisedMatch() throws {
        let task = try XCTUnwrap(provider().yamlTask(named: "wikisql"))
        let item = try task.renderInstances(limit: 1, seed: 0)[0]
        XCTAssertEqual(item.target, "SELECT Nationality FROM 1-10015132-16 WHERE Player = 'Terrence Ross'")
        XCTAssertTrue(item.prompt.hasSuffix("\n\ntable: 1-10015132-16\ncolumns: Player, No., Nationality, Position, Years in Toronto, School/Club Team\nQ: What is terrence ross' nationality\nA:"), item.prompt)
        XCTAssertEqual(item.prompt.components(separatedBy: "\n\n").count, 4)
        let score = task.score(item, response: .generation(GenerationResponse(text: "  select nationality  FROM 1-10015132-16 WHERE player = 'terrence ross' ", tokenCount: 9, finishReason: .stop)))
        XCTAssertEqual(score.values, ["exact_match": 1])
        XCTAssertEqual(task.generation?.stopSequences, ["\n"])
    }

    func testRollingTasksUseWholeTexts() throws {
        let provider = try provider()
        let wikisql = try XCTUnwrap(provider.yamlTask(named: "wikisql_rolling"))
        XCTAssertEqual(wikisql.metrics.map(\.name), ["word_perplexity", "byte_perplexity", "bits_per_byte"])
        let item = try wikisql.renderInstances(limit: 1, seed: 0)[0]
        XCTAssertTrue(item.prompt.hasPrefix("table: 1-10015132-16\n") && item.prompt.hasSuffix("'Terrence Ross'"))
        let answers = try XCTUnwrap(provider.yamlTask(named: "gsm8k_answers_rolling"))
        XCTAssertEqual(try answers.renderInstances(limit: 1, seed: 0)[0].prompt,
                       "Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.\nShe makes 9 * 2 = $<<9*2=18>>18 every day at the farmer’s market.\n#### 18")
    }

    func testRealGzipDataset() throws {
        let url = try Paths.sharedData().appendingPathComponent("humaneval/HumanEval.jsonl.gz")
        XCTAssertEqual(try ContentHash.sha256(fileAt: url), "b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef")
        let records = try DatasetReader.read(url, format: .jsonlGz)
        XCTAssertEqual(records.count, 164)
        guard case let .object(first) = records[0].value, case let .object(last) = records[163].value else { return XCTFail() }
        XCTAssertEqual(first["task_id"], .string("HumanEval/0"))
        XCTAssertEqual(last["task_id"], .string("HumanEval/163"))
    }

    func testShowPrintsTheFirstFullPrompt() throws {
        let catalog = TaskCatalog.standard(dataDirectory: try Paths.sharedData().path, repositoryTasksDirectory: Paths.shippedTasks)
        let text = try catalog.show("arc_easy")
        XCTAssertTrue(text.contains("----- prompt -----\nQuestion: Which statement best explains why photosynthesis is the foundation of most food webs?\nAnswer:\n----- end prompt -----"), text)
        let rows = try catalog.list()
        for (name, count) in Self.expectedCounts {
            let row = try XCTUnwrap(rows.first { $0.name == name })
            XCTAssertEqual(row.itemCount, count, name)
            XCTAssertEqual(row.data, .present, name)
        }
    }
}
