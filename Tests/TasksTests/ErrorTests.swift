import Foundation
import Harness
@testable import Tasks
import XCTest

/// Every error names its file, line and column exactly, on one line.
final class ErrorTests: XCTestCase {
    func path(_ relative: String) -> String { Paths.fixture(relative).path }

    func testUnknownKeySuggestsTheKnownOne() {
        let error = taskError { try TaskFileParser.parse(fileAt: Paths.fixture("errors/unknown_key.yaml")) }
        XCTAssertEqual(error, .unknownKey(SourceLocation(path: path("errors/unknown_key.yaml"), line: 3, column: 1),
                                          key: "ouput_type", section: "the task", suggestions: ["output_type"]))
        XCTAssertEqual(error?.description, "\(path("errors/unknown_key.yaml")):3:1: unknown key 'ouput_type' in the task (did you mean 'output_type'?)")
    }

    func testUnknownNestedKey() {
        let error = taskError { try TaskFileParser.parse(fileAt: Paths.fixture("errors/unknown_nested_key.yaml")) }
        XCTAssertEqual(error?.description, "\(path("errors/unknown_nested_key.yaml")):9:3: unknown key 'max_token' in generation (did you mean 'max_tokens'?)")
    }

    func testMissingRequiredKey() {
        let error = taskError { try TaskFileParser.parse(fileAt: Paths.fixture("errors/missing_key.yaml")) }
        XCTAssertEqual(error?.description, "\(path("errors/missing_key.yaml")):1:1: missing required key 'prompt' in the task")
    }

    func testMalformedYAMLNamesLineAndColumn() {
        let error = taskError { try TaskFileParser.parse(fileAt: Paths.fixture("errors/malformed.yaml")) }
        guard case let .malformedYAML(location, problem)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(location, SourceLocation(path: path("errors/malformed.yaml"), line: 6, column: 7))
        XCTAssertTrue(problem.contains("did not find expected ',' or ']'"), problem)
        XCTAssertTrue(error!.description.hasPrefix("\(path("errors/malformed.yaml")):6:7: malformed YAML: "), error!.description)
    }

    func testTemplateFieldMissingFromRecord() throws {
        let task = try loadTask("errors/missing_field.yaml")
        let error = taskError { try task.renderInstances(limit: nil, seed: 0) }
        XCTAssertEqual(error?.description,
                       "\(path("errors/missing_field.yaml")):5:9: template field 'question' is missing from the record at \(path("data/missing_field.jsonl")):3 (did you mean 'questoin'?)")
        // The first two records render.
        XCTAssertEqual(try task.renderInstances(limit: 2, seed: 0).count, 2)
    }

    func testJSONLLineThatIsNotJSON() throws {
        let task = try loadTask("errors/bad_data.yaml")
        let error = taskError { try task.renderInstances(limit: nil, seed: 0) }
        XCTAssertEqual(error?.description, "\(path("data/bad_line.jsonl")):3:24: not valid JSON: expected ',' or '}' in an object")
    }

    func testMissingDataFileNamesPathAndURL() {
        let error = taskError { try loadTask("errors/missing_data.yaml") }
        XCTAssertEqual(error?.description,
                       "\(path("data/nowhere/absent.jsonl")): data file not found (needed by \(path("errors/missing_data.yaml")):4:3); download it from https://example.org/absent.jsonl; set --data-dir or FORGETBENCH_DATA to the folder that holds it")
    }

    func testChecksumMismatchNamesBothHashesAndURL() throws {
        let actual = try ContentHash.sha256(fileAt: Paths.fixture("data/qa.jsonl"))
        let error = taskError { try loadTask("errors/sha_mismatch.yaml") }
        XCTAssertEqual(error?.description,
                       "\(path("data/qa.jsonl")): sha256 is \(actual) but \(path("errors/sha_mismatch.yaml")):4:3 expects \(String(repeating: "0", count: 64)); fetch the original from https://example.org/qa.jsonl")
    }

    func testUnknownTemplateFilter() {
        let error = taskError { try TaskFileParser.parse(fileAt: Paths.fixture("errors/bad_filter.yaml")) }
        XCTAssertEqual(error?.description, "\(path("errors/bad_filter.yaml")):5:9: 'prompt': unknown template filter 'lowr' (did you mean 'lower'?)")
    }

    func testValueErrorsFromInlineYAML() throws {
        let file = URL(fileURLWithPath: "/tmp/inline.yaml")
        func parse(_ yaml: String) -> TaskError? { taskError { try TaskFileParser.parse(yaml: yaml, file: file) } }
        let base = "name: t\ndataset:\n  path: x.jsonl\nprompt: \"{{q}}\"\n"
        // Each task file and the one-line error it gets.
        let cases: [(yaml: String, error: String)] = [
            (base + "output_type: multiple_chioce\n",
             "/tmp/inline.yaml:5:14: unknown output_type 'multiple_chioce' (did you mean 'multiple_choice'?); expected one of multiple_choice, loglikelihood, loglikelihood_rolling, generate_until"),
            (base + "output_type: generate_until\ntarget: \"{{a}}\"\ngeneration:\n  max_tokens: many\n",
             "/tmp/inline.yaml:8:15: 'max_tokens' must be an integer"),
            (base + "output_type: generate_until\ntarget: \"{{a}}\"\n",
             "/tmp/inline.yaml:1:1: missing required key 'generation' in the task"),
            (base + "output_type: loglikelihood_rolling\nmetrics: [acc]\n",
             "/tmp/inline.yaml:6:11: metric 'acc' does not apply to loglikelihood_rolling tasks; expected one of token_perplexity, word_perplexity, byte_perplexity, bits_per_byte"),
            (base + "output_type: loglikelihood_rolling\nmetrics: [word_perplexty]\n",
             "/tmp/inline.yaml:6:11: unknown metric 'word_perplexty' (did you mean 'word_perplexity'?); expected one of token_perplexity, word_perplexity, byte_perplexity, bits_per_byte"),
            (base + "output_type: generate_until\ntarget: \"{{a}}\"\ngeneration: {max_tokens: 4}\nmetrics:\n  - name: em\n    type: exact_match\n    filters: [last_numbr]\n",
             "/tmp/inline.yaml:11:15: unknown filter 'last_numbr' (did you mean 'last_number'?)"),
            (base + "output_type: generate_until\ntarget: \"{{a}}\"\ngeneration: {max_tokens: 4}\nmetrics:\n  - name: em\n    filters:\n      - regex: '(a'\n",
             "/tmp/inline.yaml:11:16: invalid regular expression \"(a\""),
            ("name: t\noutput_type: loglikelihood_rolling\ndataset:\n  path: x.txt\nprompt: \"{{q}}\"\n",
             "/tmp/inline.yaml:4:9: cannot tell the format of 'x.txt' from its extension; add 'format: jsonl|jsonl.gz|json|csv|text2sql'"),
            (base + "output_type: generate_until\ntarget: \"{{a}}\"\ngeneration: {max_tokens: 4}\nchoices: c\n",
             "/tmp/inline.yaml:8:1: 'choices' applies to multiple_choice tasks only, not generate_until"),
        ]
        for (yaml, error) in cases {
            XCTAssertEqual(parse(yaml)?.description, error, yaml)
        }
        XCTAssertEqual(parse("")?.description, "/tmp/inline.yaml:1:1: the task file is empty")
        XCTAssertEqual(parse("name: a\nname: b\n")?.description.hasPrefix("/tmp/inline.yaml:1:1: malformed YAML: duplicated key 'name'"), true)
    }

    func testDuplicateTaskNamesAcrossDirectories() throws {
        let dir = try TemporaryDirectory()
        try dir.write("a/one.yaml", "name: fixture_mc\noutput_type: loglikelihood_rolling\ndataset: {path: x.jsonl}\nprompt: \"{{q}}\"\n")
        let provider = YAMLTaskProvider(directories: [Paths.fixture("good"), dir.url.appendingPathComponent("a")], dataRoot: Paths.fixtureData)
        let error = taskError { try provider.specs() }
        XCTAssertEqual(error?.description,
                       "\(dir.url.appendingPathComponent("a/one.yaml").standardized.path):1:7: task 'fixture_mc' is already defined at \(path("good/mc.yaml")):1:7")
    }

    func testUnknownTaskSuggestsNames() throws {
        let catalog = TaskCatalog(yaml: YAMLTaskProvider(directories: [Paths.fixture("good")], dataRoot: Paths.fixtureData))
        XCTAssertThrowsError(try catalog.registry.task(named: "fixture_gn")) { error in
            XCTAssertEqual("\(error)", "unknown task 'fixture_gn' (did you mean 'fixture_gen' or 'fixture_mc'?); 'forgetbench tasks list' shows the known tasks")
        }
    }
}
