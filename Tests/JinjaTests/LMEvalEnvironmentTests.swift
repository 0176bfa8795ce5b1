import Foundation
import XCTest
@testable import Jinja

/// `TemplateEnvironment.lmEvaluationHarness` against real jinja2 configured as lm-evaluation-harness
/// configures it (`Fixtures/lmeval-snippets.json`, made by `scripts/tasks/render_lmeval_snippets.py`):
/// the text must be byte-equal, and a snippet jinja2 refuses must fail here with the same class.
final class LMEvalEnvironmentTests: XCTestCase {
    struct Case: Decodable {
        var name: String
        var template: String
        var expected: String?
        var error_type: String?
    }

    struct Fixture: Decodable { var cases: [Case] }

    /// The fixture's document, as Tasks builds it from a JSON record.
    let context: [String: Value] = [
        "question": .string("What is 2 + 3?"),
        "answer": .string("2 + 3 = 5\n#### 5"),
        "choices": .list([.string("4"), .string("5")]),
        "gold": .int(1),
        "ratio": .double(0.5),
        "flag": .bool(true),
        "meta": .dict(Dict([("source", .string("unit"))])),
    ]

    func testSnippetsRenderAsJinja2WithLMEvalsEnvironment() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/lmeval-snippets.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        XCTAssertGreaterThanOrEqual(fixture.cases.count, 20)
        for snippet in fixture.cases {
            do {
                let text = try Template(snippet.template, environment: .lmEvaluationHarness).render(context)
                XCTAssertEqual(text, snippet.expected, snippet.name)
                XCTAssertNil(snippet.error_type, "\(snippet.name): jinja2 raised \(snippet.error_type ?? ""), we rendered \(text.debugDescription)")
            } catch let error as JinjaError {
                XCTAssertEqual(error.kind.rawValue, snippet.error_type, "\(snippet.name): \(error)")
            }
        }
    }

    func testHostFiltersAndFilterNames() throws {
        var environment = TemplateEnvironment.lmEvaluationHarness
        environment.filters["shout"] = { value, arguments in
            .string(value.pythonStr.uppercased() + (arguments.positional.first?.pythonStr ?? "!"))
        }
        let template = try Template("{{ question | shout('?') }} {{ choices | map('shout') | join(',') }}", environment: environment)
        XCTAssertEqual(try template.render(context), "WHAT IS 2 + 3?? 4!,5!")
        XCTAssertEqual(template.filterNames, ["shout", "map", "join"])
        XCTAssertEqual(try Template("{% macro m(x) %}{{ x | lower }}{% endmacro %}{{ m(question) }}").filterNames, ["lower"])
        // A chat template (transformers' environment) knows nothing of a task's filters.
        XCTAssertThrowsError(try Template("{{ question | shout }}").render(context))
    }

    func testSoleExpressionGivesAValue() throws {
        let template = try Template("{{ choices }}", environment: .lmEvaluationHarness)
        XCTAssertTrue(template.isSoleExpression)
        guard case .list(let items)? = try template.value(context) else { return XCTFail("not a list") }
        XCTAssertEqual(items.map(\.pythonStr), ["4", "5"])
        XCTAssertNil(try Template("Q: {{ choices }}", environment: .lmEvaluationHarness).value(context))
        XCTAssertThrowsError(try Template("{{ missing }}", environment: .lmEvaluationHarness).value(context))
    }
}
