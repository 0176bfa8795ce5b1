import Foundation
import Harness
@testable import Tasks
import XCTest

final class ItemMetricsTests: XCTestCase {
    func testMultipleChoiceAccAndAccNorm() throws {
        let task = try loadTask("good/mc.yaml")
        let item = try task.renderInstances(limit: 1, seed: 0)[0]
        XCTAssertEqual(item.id, "q0")
        XCTAssertEqual(item.prompt, "Q: What is 2 + 3?\nA:")
        XCTAssertEqual(item.choices, [" 4", " 5", " six"])
        XCTAssertEqual(item.goldIndex, 1)
        XCTAssertEqual(item.target, "5")
        // Choices "4", "5" (gold), "six": 1, 1 and 3 bytes.
        var score = task.score(item, response: .choices([ll(-2.5), ll(-3.0), ll(-2.0)]))
        XCTAssertEqual(score.values, ["acc": 0, "acc_norm": 0])
        XCTAssertEqual(score.extractedAnswer, "six")
        score = task.score(item, response: .choices([ll(-9), ll(-2.0), ll(-1.9)]))
        XCTAssertEqual(score.values["acc"], 0)
        XCTAssertEqual(score.values["acc_norm"], 0)
        score = task.score(item, response: .choices([ll(-9), ll(-4.0), ll(-3.5)]))
        XCTAssertEqual(score.values["acc"], 0) // -3.5 beats -4.0
        XCTAssertEqual(score.values["acc_norm"], 0) // -3.5/3 = -1.17 beats -4/1
        score = task.score(item, response: .choices([ll(-9), ll(-1.0), ll(-2.4)]))
        XCTAssertEqual(score.values, ["acc": 1, "acc_norm": 0]) // raw: -1.0 wins; per byte: -0.8 beats -1.0
        score = task.score(item, response: .choices([ll(-9), ll(-1.0), ll(-0.5)]))
        XCTAssertEqual(score.values, ["acc": 0, "acc_norm": 0])
        score = task.score(item, response: .choices([ll(-9), ll(-0.2), ll(-0.9)]))
        XCTAssertEqual(score.values, ["acc": 1, "acc_norm": 1])
    }

    func testAccNormUsesBytesWithoutTheDelimiter() {
        // "é" is 2 bytes: -3/2 = -1.5 beats "ab" -4/2 = -2 and "x" -1.6/1.
        let result = ItemMetrics.multipleChoice(loglikelihoods: [-4, -3, -1.6], choiceTexts: ["ab", "é", "x"], gold: 1)
        XCTAssertEqual(result.acc, 0)
        XCTAssertEqual(result.accNorm, 1)
        XCTAssertEqual(result.predicted, 2)
    }

    func testTiesGoToTheFirstChoice() {
        XCTAssertEqual(ItemMetrics.multipleChoice(loglikelihoods: [-1, -1], choiceTexts: ["a", "b"], gold: 0).acc, 1)
        XCTAssertEqual(ItemMetrics.multipleChoice(loglikelihoods: [-1, -1], choiceTexts: ["a", "b"], gold: 1).acc, 0)
        XCTAssertEqual(ItemMetrics.multipleChoice(loglikelihoods: [-2, -2], choiceTexts: ["a", "b"], gold: 1).accNorm, 0)
        XCTAssertEqual(ItemMetrics.multipleChoice(loglikelihoods: [.nan, -5], choiceTexts: ["a", "b"], gold: 1).acc, 1)
    }

    func testExactMatchWithFilters() throws {
        let task = try loadTask("good/gen.yaml")
        let items = try task.renderInstances(limit: nil, seed: 7)
        let q3 = items[3]
        XCTAssertEqual(q3.target, "1,234")
        func score(_ text: String) -> ItemScore {
            task.score(q3, response: .generation(GenerationResponse(text: text, tokenCount: 5, finishReason: .stop)))
        }
        var s = score(" 1,000 + 234 = 1,234\n#### 1,234\n\n")
        XCTAssertEqual(s.values, ["exact_match_strict": 1, "exact_match_flexible": 1])
        XCTAssertEqual(s.extractedAnswer, "1234")
        s = score(" The total is $1,234.00.")
        XCTAssertEqual(s.values, ["exact_match_strict": 0, "exact_match_flexible": 1])
        XCTAssertNil(s.extractedAnswer.flatMap { $0 == "1234" ? $0 : nil })
        XCTAssertEqual(s.extractedAnswer, "[invalid]")
        s = score("#### 1,234 and then 7")
        XCTAssertEqual(s.values, ["exact_match_strict": 1, "exact_match_flexible": 0])
        s = score("nothing")
        XCTAssertEqual(s.values, ["exact_match_strict": 0, "exact_match_flexible": 0])
    }

    func testRollingValuesAndUnits() throws {
        let task = try loadTask("good/rolling.yaml")
        XCTAssertEqual(task.metrics.map(\.name), ["word_perplexity", "byte_perplexity", "token_perplexity", "bits_per_byte"])
        XCTAssertEqual(task.metrics[0], MetricSpec(name: "word_perplexity", direction: .lowerIsBetter, aggregation: .perplexity, unitsKey: "words"))
        XCTAssertEqual(task.metrics[1].unitsKey, "bytes")
        XCTAssertEqual(task.metrics[2].unitsKey, "tokens")
        XCTAssertEqual(task.metrics[3], MetricSpec(name: "bits_per_byte", direction: .lowerIsBetter, aggregation: .bitsPerByte))
        let items = try task.renderInstances(limit: nil, seed: 0)
        XCTAssertEqual(items.map(\.id), ["1", "2", "3"]) // select start 1, end 4 (file indices)
        XCTAssertEqual(items[0].prompt, "10 - 4 = 6\n#### 6")
        let score = task.score(items[0], response: .rolling(RollingLoglikelihoodResponse(logLikelihood: -12.5, tokenCount: 9)))
        // re.split(r"\s+", "10 - 4 = 6\n#### 6") → 7 pieces; 17 bytes.
        XCTAssertEqual(score.values, ["loglikelihood": -12.5, "tokens": 9, "words": 7, "bytes": 17])
        XCTAssertEqual(ItemMetrics.wordCount(" a  b "), 4) // "", "a", "b", ""
        XCTAssertEqual(ItemMetrics.wordCount("héllo"), 1)
        XCTAssertEqual(ItemMetrics.rollingValues(text: "héllo", logLikelihood: -1, tokenCount: 2)["bytes"], 6)
    }

    func testLoglikelihoodTaskScoresGreedyAndUnits() throws {
        let provider = YAMLTaskProvider(directories: [Paths.fixture("user")], dataRoot: Paths.fixtureData)
        let task = try XCTUnwrap(provider.task(named: "user_csv_task"))
        let item = try task.instances(limit: 1, seed: 0)[0]
        XCTAssertEqual(item.target, "2")
        let score = task.score(item, response: .loglikelihood(ll(-0.5, greedy: true, tokens: 1)))
        XCTAssertEqual(score.values, ["acc": 1, "loglikelihood": -0.5, "tokens": 1, "words": 1, "bytes": 1])
    }

    func testWrongResponseKindScoresZeroAndSaysSo() throws {
        let task = try loadTask("good/mc.yaml")
        let item = try task.renderInstances(limit: 1, seed: 0)[0]
        let score = task.score(item, response: .choices([ll(-1)]))
        XCTAssertEqual(score.values, ["acc": 0, "acc_norm": 0])
        XCTAssertEqual(score.extractedAnswer?.hasPrefix("[invalid response"), true)
    }
}
