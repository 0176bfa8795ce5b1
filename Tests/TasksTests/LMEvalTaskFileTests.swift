import Foundation
import Harness
@testable import Tasks
import XCTest

/// Task files in lm-evaluation-harness's format (`Tests/Fixtures/tasks/lmeval`: copies of lm-eval's
/// gsm8k, arc_easy and boolq in their exact shape, data read locally through `dataset_path: json`)
/// run unchanged and render exactly the prompts, targets, choices and gold answers of our own task
/// files for the same data.
final class LMEvalTaskFileTests: XCTestCase {
    func answer(_ text: String) -> ModelResponse {
        .generation(GenerationResponse(text: text, tokenCount: 1, finishReason: .stop))
    }

    func pair(_ name: String) throws -> (lmEval: YAMLTask, ours: YAMLTask) {
        let dataRoot = try Paths.sharedData()
        let lmEval = try TaskFileParser.parse(fileAt: Paths.fixture("lmeval/\(name).yaml"))
        let ours = try TaskFileParser.parse(fileAt: Paths.shippedTasks.appendingPathComponent("\(name).yaml"))
        return (try YAMLTask(spec: lmEval, dataRoot: dataRoot), try YAMLTask(spec: ours, dataRoot: dataRoot))
    }

    /// Every record rendered by both files (the item itself, without few-shot examples).
    func assertSameDocs(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let (lmEval, ours) = try pair(name)
        let records = try lmEval.records()
        XCTAssertEqual(records.count, try ours.records().count, name, file: file, line: line)
        XCTAssertGreaterThan(records.count, 1000, name, file: file, line: line)
        for record in records {
            let a = try lmEval.render(record, path: lmEval.datasetURL.path)
            let b = try ours.render(record, path: ours.datasetURL.path)
            guard a.prompt == b.prompt, a.target == b.target, a.choices == b.choices, a.gold == b.gold else {
                return XCTFail("\(name) record at line \(record.line): \(a) != \(b)", file: file, line: line)
            }
        }
    }

    func testGSM8KFromLMEvalRendersOurPromptsAndTargets() throws {
        try assertSameDocs("gsm8k")
        let (lmEval, _) = try pair("gsm8k")
        XCTAssertEqual(lmEval.name, "gsm8k")
        XCTAssertEqual(lmEval.version, "3.0")
        XCTAssertEqual(lmEval.outputType, .generateUntil)
        XCTAssertEqual(lmEval.generation?.stopSequences, ["Question:", "</s>", "<|im_end|>"])
        XCTAssertEqual(lmEval.generation?.maxTokens, 256)
        XCTAssertEqual(lmEval.spec.metrics.map(\.name), ["exact_match,strict-match", "exact_match,flexible-extract"])

        // Five shots from the train split, each "Question: ...\nAnswer: NUMBER" (lm-eval's
        // doc_to_target for a shot), then the item.
        let item = try XCTUnwrap(lmEval.renderInstances(limit: 1, seed: 0).first)
        let parts = item.prompt.components(separatedBy: "\n\nQuestion: ")
        XCTAssertEqual(parts.count, 6, item.prompt)
        XCTAssertTrue(item.prompt.hasSuffix("Question: Janet’s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck egg. How much in dollars does she make every day at the farmers' market?\nAnswer:"))
        XCTAssertEqual(item.target, "18")

        // The two answer pipelines, scored as lm-eval scores them (ignore_case, regexes_to_ignore).
        let score = lmEval.score(item, response: answer(" She sells 9 eggs for $2 each: 9 * 2 = $18.\n#### 18"))
        XCTAssertEqual(score.values["exact_match,strict-match"], 1)
        XCTAssertEqual(score.values["exact_match,flexible-extract"], 1)
        let flexibleOnly = lmEval.score(item, response: answer(" So she makes $18."))
        XCTAssertEqual(flexibleOnly.values["exact_match,strict-match"], 0)
        XCTAssertEqual(flexibleOnly.values["exact_match,flexible-extract"], 1)
        XCTAssertEqual(lmEval.score(item, response: answer(" #### 17")).values["exact_match,strict-match"], 0)
    }

    func testARCEasyFromLMEvalRendersOurItems() throws {
        try assertSameDocs("arc_easy")
        let (lmEval, ours) = try pair("arc_easy")
        XCTAssertEqual(try lmEval.renderInstances(limit: nil, seed: 1234), try ours.renderInstances(limit: nil, seed: 1234))
        XCTAssertEqual(lmEval.spec.metrics.map(\.name), ["acc", "acc_norm"])
    }

    func testBoolQFromLMEvalWithAFieldTargetAndAListOfChoices() throws {
        try assertSameDocs("boolq")
        let (lmEval, ours) = try pair("boolq")
        XCTAssertEqual(try lmEval.renderInstances(limit: nil, seed: 1234), try ours.renderInstances(limit: nil, seed: 1234))
    }

    func testUnsupportedLMEvalFilesSayWhatToDo() throws {
        let dir = try TemporaryDirectory()
        func error(_ yaml: String) -> String? {
            do {
                _ = try TaskFileParser.parse(yaml: yaml, file: dir.url.appendingPathComponent("t.yaml"))
                return nil
            } catch {
                return error.description
            }
        }
        let base = "task: t\noutput_type: generate_until\ntest_split: test\ndoc_to_text: \"{{q}}\"\ndoc_to_target: \"{{a}}\"\n"
        let path = dir.url.appendingPathComponent("t.yaml").path
        XCTAssertEqual(error(base + "dataset_path: gsm8k\ndataset_name: main\n"),
                       "\(path):6:15: dataset_path 'gsm8k' is a Hugging Face Hub dataset; ForgetBench reads local files: use 'dataset_path: json' with 'dataset_kwargs: {data_files: {test: PATH}}' (PATH relative to the data root)")
        let local = base + "dataset_path: json\ndataset_kwargs: {data_files: {test: t.jsonl}}\n"
        XCTAssertTrue(error(local + "process_results: !function utils.process_results\n")?
            .hasPrefix("\(path):8:1: unknown key 'process_results' in the lm-eval task") ?? false)
        let function = error(local + "metric_list:\n  - metric: !function utils.pass_at_k\n") ?? ""
        XCTAssertTrue(function.hasPrefix("\(path):9:") && function.contains("'!function utils.pass_at_k' names Python code, which ForgetBench cannot run"), function)
        let filter = error(base.replacingOccurrences(of: "{{a}}", with: "{{a | aftr(\\\"x\\\")}}") + "dataset_path: json\ndataset_kwargs: {data_files: {test: t.jsonl}}\n") ?? ""
        XCTAssertTrue(filter.hasPrefix("\(path):5:16: 'doc_to_target': unknown template filter 'aftr' (did you mean 'after'"), filter)
    }
}
