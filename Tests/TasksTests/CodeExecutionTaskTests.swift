import Foundation
import Harness
import Metrics
import Sandbox
@testable import Tasks
import TestSupport
import XCTest

/// mbpp and humaneval on the real data: every canonical solution passes in the sandbox, every
/// solution with its bodies replaced by `pass` fails; extraction, assembly and pass@k.
final class CodeExecutionTaskTests: XCTestCase {
    func provider() throws -> YAMLTaskProvider {
        YAMLTaskProvider(directories: [Paths.shippedTasks], dataRoot: try Paths.sharedData())
    }

    /// A confined sandbox with one worker per core and then some (programs mostly wait on
    /// process start-up); see `SandboxRequirement` for when it skips.
    func sandbox() throws -> Sandbox {
        let sandbox = try Sandbox(configuration: SandboxConfiguration(workers: max(4, 2 * ProcessInfo.processInfo.activeProcessorCount),
                                                                      label: "fb-tasks-test-\(UUID().uuidString.prefix(8))"))
        try SandboxRequirement.check(sandbox.checkAvailable)
        return sandbox
    }

    func field(_ record: DatasetRecord, _ key: String) throws -> String {
        guard case let .object(members) = record.value, case let .string(text)? = members[key] else {
            throw XCTSkip("record \(record.index) has no text field \(key)")
        }
        return text
    }

    /// The canonical solutions of both tasks as the model's answers: MBPP's in a fenced block (as
    /// the prompt asks), HumanEval's as the completion of the head.
    func canonicalAnswers() throws -> [(task: YAMLTask, instances: [TaskInstance], answers: [String])] {
        let mbpp = try XCTUnwrap(provider().yamlTask(named: "mbpp"))
        let humaneval = try XCTUnwrap(provider().yamlTask(named: "humaneval"))
        let mbppAnswers = try mbpp.records().map { "Here it is:\n```python\n" + (try field($0, "code")) + "\n```\nDone." }
        let humanevalAnswers = try humaneval.records().map { try field($0, "canonical_solution") }
        return [(mbpp, try mbpp.renderInstances(limit: nil, seed: 0), mbppAnswers),
                (humaneval, try humaneval.renderInstances(limit: nil, seed: 0), humanevalAnswers)]
    }

    func response(_ text: String) -> ModelResponse {
        .generation(GenerationResponse(text: text, tokenCount: 1, finishReason: .stop))
    }

    func testEveryCanonicalSolutionPassesAndEveryPassBodyFails() async throws {
        let sandbox = try sandbox()
        for (task, instances, answers) in try canonicalAnswers() {
            XCTAssertEqual(instances.count, task.name == "mbpp" ? 500 : 164)
            let started = Date()
            let scores = await task.score(instances, responses: answers.map(response), sandbox: sandbox)
            let failed = zip(instances, scores).filter { $1.values["pass@1"] != 1 }
            XCTAssertEqual(failed.map(\.0.id), [], "\(task.name): \(failed.prefix(3).map { "\($0.0.id): \($0.1.outcome ?? "")" })")
            XCTAssertTrue(scores.allSatisfy { $0.outcome == "passed" && $0.values["samples"] == 1 && $0.values["passed"] == 1 })
            let seconds = Date().timeIntervalSince(started)
            print("\(task.name): \(instances.count) canonical solutions in \(String(format: "%.1f", seconds)) s")

            let hollow = answers.map { task.name == "mbpp" ? Self.replacingBodiesWithPass($0) : "    pass\n" }
            let hollowScores = await task.score(instances, responses: hollow.map(response), sandbox: sandbox)
            let passing = zip(instances, hollowScores).filter { $1.values["pass@1"] != 0 }
            XCTAssertEqual(passing.map(\.0.id), [], "\(task.name): bodies replaced by pass still pass")
            XCTAssertTrue(hollowScores.allSatisfy { $0.outcome?.hasPrefix("passed") == false })
        }
        XCTAssertEqual(ProcessTable.processes(containing: sandbox.configuration.label), [])
    }

    /// Every top-level `def` and `class` keeps its header and gets `pass` as its body.
    static func replacingBodiesWithPass(_ answer: String) -> String {
        let code = ProgramExtraction.fenced.extract(from: answer).replacingOccurrences(of: "\r\n", with: "\n")
        var out: [String] = []
        var skipping = false
        var header = false
        for line in code.split(separator: "\n", omittingEmptySubsequences: false) {
            let indented = line.first == " " || line.first == "\t"
            if header {
                out.append(String(line))
                if line.trimmingCharacters(in: .whitespaces).hasSuffix(":") { out.append("    pass"); header = false; skipping = true }
                continue
            }
            if skipping, indented || line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            skipping = false
            if line.hasPrefix("def ") || line.hasPrefix("class ") {
                out.append(String(line))
                if line.trimmingCharacters(in: .whitespaces).hasSuffix(":") { out.append("    pass"); skipping = true } else { header = true }
                continue
            }
            out.append(String(line))
        }
        return "```python\n" + out.joined(separator: "\n") + "\n```"
    }

    func testReplacingBodiesKeepsHeadersAndTopLevelLines() {
        let answer = "```python\nimport math\r\ndef f(a,\n      b):\n    x = 1\n\n    return x\nR = 3\nclass C:\n\tdef g(self): return 2\n```"
        XCTAssertEqual(Self.replacingBodiesWithPass(answer), "```python\nimport math\ndef f(a,\n      b):\n    pass\nR = 3\nclass C:\n    pass\n```")
    }

    func testFencedExtraction() {
        let fenced = ProgramExtraction.fenced
        XCTAssertEqual(fenced.extract(from: "Sure:\n```python\ndef f():\n    return 1\n```\nand ```x```"), "def f():\n    return 1")
        XCTAssertEqual(fenced.extract(from: "```\nprint(1)\n```"), "print(1)")
        XCTAssertEqual(fenced.extract(from: "```py\nprint(1)   \n\n```"), "print(1)")
        XCTAssertEqual(fenced.extract(from: "```python\nprint(1)\nprint(2"), "print(1)\nprint(2", "a block cut short runs to the end")
        XCTAssertEqual(fenced.extract(from: "```print(1)```"), "print(1)", "an opening line that is not a language tag is code")
        XCTAssertEqual(fenced.extract(from: "def f():\n    return 1\n\n"), "def f():\n    return 1", "no fence: the whole answer")
        XCTAssertEqual(ProgramExtraction.raw.extract(from: "    return x\n```\n"), "    return x\n```")
    }

    func testProgramAssembly() {
        let scorer = CodeExecutionScorer(extraction: .raw, metrics: [("pass@1", 1)])
        XCTAssertEqual(scorer.program(answer: "def f():\n    return 1\n", target: "assert f() == 1\n"), "def f():\n    return 1\nassert f() == 1\n")
        XCTAssertEqual(scorer.program(answer: "    return 1\n", target: "def f():\n#@completion\ncheck(f)\n"), "def f():\n    return 1\ncheck(f)\n")
    }

    /// pass@1 and pass@5 from 10 answers per item equal the closed form 1 - C(n-c,k)/C(n,k).
    func testPassAtKFromTenAnswersEqualsTheClosedForm() {
        let scorer = CodeExecutionScorer(extraction: .fenced, metrics: [("pass@1", 1), ("pass@5", 5)])
        func binomial(_ n: Int, _ k: Int) -> Double {
            guard k >= 0, k <= n else { return 0 }
            return (0 ..< k).reduce(1.0) { $0 * Double(n - $1) / Double($1 + 1) }
        }
        let kinds: [OutcomeKind] = [.failedAssertion, .syntaxError, .runtimeError, .timeout, .memory, .outputLimit, .sandboxRefused]
        for correct in 0 ... 10 {
            let outcomes = (0 ..< 10).map { i in
                ProgramOutcome(kind: i < correct ? .passed : kinds[i % kinds.count], detail: "")
            }
            let score = scorer.score(outcomes: outcomes.shuffled(), code: "")
            XCTAssertEqual(score.values["samples"], 10)
            XCTAssertEqual(score.values["passed"], Double(correct))
            for k in [1, 5] {
                let closed = 1 - binomial(10 - correct, k) / binomial(10, k)
                XCTAssertEqual(try XCTUnwrap(score.values["pass@\(k)"]), closed, accuracy: 1e-12, "c \(correct), k \(k)")
            }
        }
    }

    /// Each outcome kind reaches the item's record, with its reason.
    func testOutcomesAreRecorded() async throws {
        let sandbox = try sandbox()
        let task = try XCTUnwrap(provider().yamlTask(named: "mbpp"))
        let item = try task.renderInstances(limit: 1, seed: 0)[0]
        let answers = ["```python\ndef remove_Occ(s, ch):\n    return s\n```", "```python\ndef remove_Occ(s, ch)\n```", "no code at all"]
        let scores = await task.score([item, item, item], responses: answers.map(response), sandbox: sandbox)
        XCTAssertEqual(scores.map { $0.outcome?.components(separatedBy: ":").first }, ["failed_assertion", "syntax_error", "syntax_error"])
        XCTAssertEqual(scores[2].extractedAnswer, "no code at all")
        XCTAssertEqual(scores.map { $0.values["pass@1"] }, [0, 0, 0])
        // The one-at-a-time path gives the same.
        XCTAssertEqual(task.score(item, response: response(answers[0])).outcome?.hasPrefix("failed_assertion"), true)
    }

    func testMBPPPromptIsThePapersAndTheSplitsAreDisjoint() throws {
        let task = try XCTUnwrap(provider().task(named: "mbpp") as? TrainableYAMLTask)
        let item = try task.instances(limit: 1, seed: 0)[0]
        XCTAssertEqual(item.id, "11")
        XCTAssertEqual(item.prompt, """
        Please refer the given test cases and generate a python function for my problem. Make sure the written code is wrapped in code block : ```python
        <your code>
        ```
        >>> Problem:
        Write a python function to remove first and last occurrence of a given character from the string.
        >>> Test Cases:
        assert remove_Occ("hello","l") == "heo"
        assert remove_Occ("abcda","a") == "bcd"
        assert remove_Occ("PHP","P") == "H"

        """)
        let training = try task.trainingInstances(limit: nil)
        XCTAssertEqual(training.count, 374)
        XCTAssertEqual(training.first?.id, "601")
        XCTAssertEqual(training.last?.id, "974")
        let test = try task.instances(limit: nil, seed: 0)
        XCTAssertTrue(Set(test.map(\.id)).isDisjoint(with: training.map(\.id)))
        let response = task.groundTruthResponse(for: training[0])
        XCTAssertTrue(response.hasPrefix("```python\nclass Pair(object):"), response)
        XCTAssertTrue(response.hasSuffix("\n```"))
        XCTAssertFalse(response.contains("\r"))
        XCTAssertEqual(task.correctnessMetric, "pass@1")
    }

    func testHumanEvalPromptIsTheHead() throws {
        let task = try XCTUnwrap(provider().yamlTask(named: "humaneval"))
        let item = try task.renderInstances(limit: 1, seed: 0)[0]
        XCTAssertEqual(item.id, "HumanEval/0")
        XCTAssertTrue(item.prompt.hasPrefix("from typing import List\n\n\ndef has_close_elements("))
        XCTAssertTrue(item.target.hasPrefix(item.prompt + "#@completion\n"))
        XCTAssertTrue(item.target.hasSuffix("check(has_close_elements)\n"))
    }

    func testCodeExecutionMetricErrors() throws {
        func parse(_ metrics: String) throws -> TaskSpec { try parseGenerationTask(then: "metrics:\n" + metrics) }
        let spec = try parse("  - {name: pass@1, type: code_execution, extract: raw}")
        XCTAssertEqual(spec.metrics[0].codeExecution, CodeExecutionSpec(extraction: .raw, k: 1))
        XCTAssertEqual(spec.metrics[0].metricSpec.direction, .higherIsBetter)
        XCTAssertEqual(try parse("  - code_execution").metrics[0].codeExecution, CodeExecutionSpec())
        let bad = taskError { try parse("  - {type: code_execution, extract: fence}") }
        XCTAssertTrue(bad?.description.contains("t.yaml:8:") == true && bad?.description.contains("did you mean 'fenced'") == true, bad?.description ?? "")
        XCTAssertNotNil(taskError { try parse("  - {type: code_execution, k: 5}") }, "k above the answers per item")
        XCTAssertNotNil(taskError { try parse("  - {type: exact_match, extract: raw}") })
        let mixed = taskError { try parse("  - code_execution\n  - exact_match") }
        XCTAssertTrue(mixed?.description.contains("cannot be listed with") == true, mixed?.description ?? "")
    }

    /// `generation.samples` draws several answers per item for pass@k; the checks that keep it honest.
    func testSamplesPerItem() throws {
        func parse(_ generation: String, _ metrics: String) throws -> TaskSpec { try parseGenerationTask(generation: generation, then: metrics) }
        let spec = try parse("{max_tokens: 8, temperature: 0.8, samples: 10}", "metrics: [{name: pass@1, type: code_execution}, {name: pass@5, type: code_execution, k: 5}]")
        XCTAssertEqual(spec.generation?.samples, 10)
        XCTAssertEqual(spec.metrics.map { $0.codeExecution?.k }, [1, 5])
        XCTAssertTrue(spec.configValue(forHash: true).canonicalJSON.contains(#""samples":10"#))
        let single = try parse("{max_tokens: 8}", "metrics: [code_execution]")
        XCTAssertFalse(single.configValue(forHash: true).canonicalJSON.contains("samples"), "one sample leaves existing task hashes as they were")
        let greedy = taskError { try parse("{max_tokens: 8, samples: 10}", "metrics: [code_execution]") }
        XCTAssertTrue(greedy?.description.contains("temperature") == true, greedy?.description ?? "")
        XCTAssertNotNil(taskError { try parse("{max_tokens: 8, temperature: 0.8, samples: 4}", "metrics: [{type: code_execution, k: 5}]") })
        XCTAssertNotNil(taskError { try parse("{max_tokens: 8, temperature: 0.8, samples: 4}", "metrics: [exact_match]") })
        XCTAssertNotNil(taskError { try parse("{max_tokens: 8, temperature: 0.8, samples: 4}", "") }, "the default exact_match cannot take several answers")
    }
}
