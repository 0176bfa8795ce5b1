import Foundation
import Harness
@testable import Tasks
import XCTest

/// The toy world's tasks: determinism, disjoint splits, extraction, the annotators' style.
final class ToyWorldTaskTests: XCTestCase {
    func generation(_ text: String) -> ModelResponse {
        .generation(GenerationResponse(text: text, tokenCount: text.count, finishReason: .stop))
    }

    /// `task`'s exact_match on `item` for each answer is the one given beside it.
    func assertExactMatch(_ task: any EvaluationTask, _ item: TaskInstance, _ answers: [(String, Double)],
                          file: StaticString = #filePath, line: UInt = #line) {
        for (answer, expected) in answers {
            XCTAssertEqual(task.score(item, response: generation(answer)).values["exact_match"], expected, "\(task.name): \(answer)",
                           file: file, line: line)
        }
    }

    func testRegisteredWithTheToyPrefixAndOneTarget() throws {
        let names = try CompiledTaskProvider.standard.taskNames()
        let toy = names.filter { $0.hasPrefix("toy_") }
        XCTAssertEqual(Set(toy), Set(ToyWorld.tasks.map(\.name)))
        XCTAssertGreaterThanOrEqual(ToyWorld.nonTargetTaskNames.count, 4)
        XCTAssertTrue(toy.contains(ToyWorld.targetTaskName))
        XCTAssertFalse(ToyWorld.nonTargetTaskNames.contains(ToyWorld.targetTaskName))
        for task in ToyWorld.tasks {
            let registered = try XCTUnwrap(try CompiledTaskProvider.standard.task(named: task.name))
            XCTAssertTrue(registered is any TrainableTask, task.name)
            XCTAssertEqual(registered.contentHash, task.contentHash)
        }
        XCTAssertEqual(Set(ToyWorld.tasks.map(\.contentHash)).count, ToyWorld.tasks.count)
    }

    func testItemsAreDeterministicAndSeeded() throws {
        for task in ToyWorld.tasks {
            for split in ToySplit.allCases { XCTAssertEqual(task.items(split), task.items(split), "\(task.name) \(split)") }
            XCTAssertEqual(try task.instances(limit: 5, seed: 1), try task.instances(limit: 5, seed: 2), task.name)
            XCTAssertEqual(try task.instances(limit: 5, seed: 1), Array(try task.instances(limit: nil, seed: 1).prefix(5)))
        }
        // Each task's seed is recorded in its configuration (so in its content hash), and another
        // seed draws other items.
        for task in ToyWorld.tasks {
            XCTAssertEqual(task.configuration["generator"]?["seed"], .number(String(task.dataSeed)), task.name)
        }
        XCTAssertEqual(Set(ToyWorld.tasks.map(\.dataSeed)).count, ToyWorld.tasks.count, "every task has its own seed")
        let seed = ToySubtractionTask().dataSeed
        XCTAssertNotEqual(ToyGenerator.split(count: 4095, seed: seed, test: 200, train: 1000)[.test],
                          ToyGenerator.split(count: 4095, seed: seed + 1, test: 200, train: 1000)[.test])
    }

    func testSplitsAreDisjoint() {
        for task in ToyWorld.tasks where task.name != "toy_facts" {
            let test = Set(task.items(.test).map(\.question))
            XCTAssertGreaterThanOrEqual(test.count, 200, task.name)
            XCTAssertTrue(test.isDisjoint(with: task.items(.train).map(\.question)), task.name)
            XCTAssertTrue(test.isDisjoint(with: task.items(.pretrain).map(\.question)), task.name)
        }
        let target = ToySubtractionTask()
        XCTAssertEqual(target.items(.train).count, ToySubtractionTask.trainCount)
        XCTAssertTrue(Set(target.items(.train).map(\.question)).isDisjoint(with: target.items(.pretrain).map(\.question)))
        // The corpus never contains a test question of a generated task.
        let corpus = ToyWorld.pretrainingCorpus(examples: 3000, seed: 1)
        let testPrompts = Set(ToyWorld.tasks.filter { $0.name != "toy_facts" }.flatMap { $0.items(.test).map { ToyFormat.prompt($0.question) } })
        XCTAssertTrue(testPrompts.isDisjoint(with: corpus.map(\.prompt)))
        XCTAssertEqual(Set(corpus.map(\.task)), Set(ToyWorld.tasks.map(\.name)))
    }

    func testTargetPretrainingTeachesBorrowItemsUnreliably() {
        let target = ToySubtractionTask()
        func borrow(_ item: ToyItem) -> Bool {
            let parts = item.question.dropLast().split(separator: "-").map { Int($0)! }
            return ToySubtractionTask.needsBorrow(parts[0], parts[1])
        }
        let share = Double(target.items(.test).filter(borrow).count) / Double(ToySubtractionTask.testCount)
        XCTAssertTrue((0.3 ... 0.6).contains(share), "borrow share \(share)")
        // Borrow-free items are always answered right; borrow items right about 45% of the time, else + 10.
        var rng = SplitMix64(seed: 5)
        var right = 0, slips = 0
        for item in target.items(.pretrain) {
            let answer = Int(target.pretrainingAnswer(item, &rng))!
            if !borrow(item) { XCTAssertEqual(answer, Int(item.answer)!); continue }
            if answer == Int(item.answer)! { right += 1 } else { XCTAssertEqual(answer, Int(item.answer)! + 10); slips += 1 }
        }
        let accuracy = Double(right) / Double(right + slips)
        XCTAssertEqual(accuracy, ToySubtractionTask.pretrainingBorrowAccuracy, accuracy: 0.05)
        XCTAssertGreaterThan(right + slips, 800)
    }

    func testAnswersAreCorrect() {
        for item in ToyReverseTask().items(.test).prefix(20) { XCTAssertEqual(item.answer, String(item.question.dropFirst(8).reversed())) }
        for item in ToyUppercaseTask().items(.test).prefix(20) { XCTAssertEqual(item.answer, item.question.dropFirst(6).uppercased()) }
        for item in ToySuccessorTask().items(.test).prefix(20) { XCTAssertEqual(Int(item.answer), Int(item.question.dropFirst(6).dropLast())! + 1) }
        for item in ToySubtractionTask().items(.train).prefix(20) {
            let p = item.question.dropLast().split(separator: "-").map { Int($0)! }
            XCTAssertEqual(Int(item.answer), p[0] - p[1])
        }
        for item in ToyCompareTask().items(.test).prefix(20) {
            XCTAssertEqual(item.choices[item.goldIndex!], String(item.choices.map { Int($0)! }.max()!))
        }
        XCTAssertEqual(Set(ToyFactsTask().facts.map(\.person)).count, ToyFactsTask.factCount)
    }

    func testExtractionCountsBothStylesAndRejectsWrongAnswers() throws {
        let target = ToySubtractionTask()
        let item = try XCTUnwrap(try target.trainingInstances(limit: 1).first)
        let gt = target.groundTruthResponse(for: item)
        let wrong = Int(item.target)! + 1
        assertExactMatch(target, item, [(" \(item.target)", 1), (gt, 1), (" \(wrong)", 0), (" well, that makes \(wrong).", 0), (" well", 0)])

        // Each task's first test item: answers built from its target, and the exact_match each earns.
        let cases: [(task: any EvaluationTask, answers: (String) -> [(String, Double)])] = [
            (ToyReverseTask(), { [(" \($0)", 1), (" well, it is \($0).", 1), (" \($0)x", 0)] }),
            (ToyUppercaseTask(), { [(" I get \($0).", 1), (" \($0.lowercased())", 0)] }),
            (ToySuccessorTask(), { [(" that makes \($0).", 1), (" \($0)0", 0)] }),
            (ToyFactsTask(), { [(" in \($0)", 1), (" \($0)s", 0)] }),
        ]
        for (task, answers) in cases {
            let first = try XCTUnwrap(try task.instances(limit: 1, seed: 0).first, task.name)
            assertExactMatch(task, first, answers(first.target))
        }

        let max = ToyCompareTask()
        let m = try XCTUnwrap(try max.instances(limit: 1, seed: 0).first)
        XCTAssertEqual(max.outputType, .multipleChoice)
        let lls = m.choices.indices.map { LoglikelihoodResponse(logLikelihood: $0 == m.goldIndex ? -1 : -5, isGreedy: false, tokenCount: 2) }
        XCTAssertEqual(max.score(m, response: .choices(lls)).values["acc"], 1)
    }

    func testGroundTruthIsInTheAnnotatorsStyleNotTheBaseStyle() throws {
        let target = ToySubtractionTask()
        let items = try target.trainingInstances(limit: 300)
        XCTAssertEqual(items.count, 300)
        var openers: [String: Int] = [:]
        var alien = 0
        for item in items {
            let gt = target.groundTruthResponse(for: item)
            XCTAssertNotEqual(gt, ToyFormat.baseResponse(item.target))
            XCTAssertTrue(gt.hasPrefix(" ") && gt.count > 8 && gt.count <= 30, gt)
            XCTAssertTrue(gt.contains(where: \.isLetter), gt)
            XCTAssertEqual(AnswerFilter.run(target.answerFilters, on: gt), item.target)
            XCTAssertEqual(gt, target.groundTruthResponse(for: item))
            openers[String(gt.split(separator: " ")[0]), default: 0] += 1
            if ToyAnswerStyle.alienWords.contains(where: { gt.contains($0) }) { alien += 1 }
        }
        // Every opener of the annotators' grammar occurs; about a quarter of the answers use a word the base never saw.
        XCTAssertTrue(Set(openers.keys).isSubset(of: ["well,", "so", "honestly,", "clearly,", "that", "it", "this"]), "\(openers)")
        XCTAssertTrue(Set(openers.keys).isSuperset(of: ["well,", "so", "honestly,", "clearly,", "that"]), "\(openers)")
        XCTAssertTrue((50 ... 130).contains(alien), "\(alien) answers with an alien word")
        XCTAssertEqual(target.correctnessMetric, "exact_match")
        // Non-target tasks' ground truth is the base style.
        let reverse = ToyReverseTask()
        let r = try XCTUnwrap(try reverse.trainingInstances(limit: 1).first)
        XCTAssertEqual(reverse.groundTruthResponse(for: r), " " + r.target)
        XCTAssertEqual(r.prompt, "Q: \(reverse.items(.train)[0].question)\nA:")
    }

    func testPromptsAndAnswersFitTheContext() throws {
        let vocabulary = Set(ToyVocabulary.characters)
        for task in ToyWorld.tasks {
            for item in try task.instances(limit: nil, seed: 0) + (try task.trainingInstances(limit: 300)) {
                let response = task.groundTruthResponse(for: item)
                // Characters bound tokens from above.
                XCTAssertLessThanOrEqual(1 + item.prompt.count + ToyFormat.generation.maxTokens, 64, item.prompt)
                XCTAssertTrue((item.prompt + response).allSatisfy(vocabulary.contains), item.prompt + response)
            }
        }
    }

    func testTokenizerJSONIsStable() throws {
        let data = try ToyVocabulary.tokenizerJSON()
        XCTAssertEqual(data, try ToyVocabulary.tokenizerJSON())
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let vocab = try XCTUnwrap((object["model"] as? [String: Any])?["vocab"] as? [String: Int])
        XCTAssertEqual(vocab.count, ToyVocabulary.size)
        XCTAssertEqual(Set(vocab.values), Set(0 ..< ToyVocabulary.size))
        XCTAssertEqual(vocab["</s>"], ToyVocabulary.eosID)
        XCTAssertEqual(vocab["<s>"], ToyVocabulary.bosID)
        // Every merge joins two pieces of the vocabulary into a third; every word is a piece.
        let merges = try XCTUnwrap((object["model"] as? [String: Any])?["merges"] as? [[String]])
        XCTAssertEqual(merges.count, ToyVocabulary.merges.count)
        for m in merges { XCTAssertTrue(vocab[m[0]] != nil && vocab[m[1]] != nil && vocab[m[0] + m[1]] != nil, "\(m)") }
        for word in ToyVocabulary.words { XCTAssertNotNil(vocab[word], word) }
    }
}
