import Foundation
import Harness
@testable import Tasks
import XCTest

final class TemplateTests: XCTestCase {
    let record: JSONValue = .object([
        "question": .string("What is 2 + 3?"),
        "answer": .string("2 + 3 = 5\n#### 5"),
        "choices": .array([.string("4"), .string("5")]),
        "gold": .number("1"),
        "meta": .object(["source": .string("unit")]),
    ])

    func render(_ source: String) throws -> String {
        try Template(source).render(record)
    }

    func testFieldsIndexesAndFilters() throws {
        XCTAssertEqual(try render("Question: {{question}}\nAnswer:"), "Question: What is 2 + 3?\nAnswer:")
        XCTAssertEqual(try render("{{ choices[0] }}|{{choices[-1]}}|{{gold}}"), "4|5|1")
        XCTAssertEqual(try render("{{meta.source | upper}}"), "UNIT")
        XCTAssertEqual(try render("{{answer | after: \"####\" | trim}}"), "5")
        XCTAssertEqual(try render(#"{{answer | before: "\n"}}"#), "2 + 3 = 5")
        XCTAssertEqual(try render(#"{{answer | through: "="}}"#), "2 + 3 =")
        XCTAssertEqual(try render(#"{{choices | join: ", "}}"#), "4, 5")
        XCTAssertEqual(try render("{{gold | letter}}"), "B")
        XCTAssertEqual(try render(#"{{ "{{" }}literal"#), "{{literal")
        XCTAssertEqual(try render(#"{{question | replace: "2", "two"}}"#), "What is two + 3?")
    }

    func testSyntaxErrors() {
        XCTAssertThrowsError(try Template("{{question")) { XCTAssertTrue("\($0)".contains("unclosed")) }
        XCTAssertThrowsError(try Template("{{question | lowr}}")) {
            XCTAssertEqual("\($0)", "unknown template filter 'lowr' (did you mean 'lower'?)")
        }
        XCTAssertThrowsError(try Template(#"{{answer | after}}"#)) { XCTAssertTrue("\($0)".contains("takes 1 argument")) }
    }

    func testEvaluationErrors() throws {
        XCTAssertThrowsError(try render("{{questoin}}")) { error in
            guard case let TemplateEvalError.missingField(field, available)? = error as? TemplateEvalError else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "questoin")
            XCTAssertTrue(available.contains("question"))
        }
        XCTAssertThrowsError(try render("{{choices}}")) { error in
            guard case let TemplateEvalError.failed(message)? = error as? TemplateEvalError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("is a list"), message)
        }
        XCTAssertThrowsError(try render("{{choices[5]}}"))
        XCTAssertThrowsError(try render(#"{{answer | after: "@@"}}"#))
    }
}

final class AnswerFilterTests: XCTestCase {
    let strict: [AnswerFilter] = [.regex(pattern: #"#### (\-?[0-9\.\,]+)"#, group: 1, selectLast: false), .normalizeNumber]
    let flexible: [AnswerFilter] = [.lastNumber, .normalizeNumber]

    func testGSM8KExtractors() {
        let answer = "She pays 1,000 + 234 = $1,234.\n#### 1,234"
        XCTAssertEqual(AnswerFilter.run(strict, on: answer), "1234")
        XCTAssertEqual(AnswerFilter.run(flexible, on: answer), "1234")
        XCTAssertEqual(AnswerFilter.run(flexible, on: "So the answer is $18."), "18")
        XCTAssertEqual(AnswerFilter.run(flexible, on: "It costs -3.50 dollars"), "-3.5")
        XCTAssertNil(AnswerFilter.run(strict, on: "The answer is 18."))
        XCTAssertNil(AnswerFilter.run(flexible, on: "no digits here"))
    }

    func testNormalizers() {
        XCTAssertEqual(AnswerFilter.normalizeNumber("$1,234.00"), "1234")
        XCTAssertEqual(AnswerFilter.normalizeNumber(" 18. "), "18")
        XCTAssertEqual(AnswerFilter.normalizeNumber("+7.50"), "7.5")
        XCTAssertEqual(AnswerFilter.normalizeNumber("-0"), "0")
        XCTAssertEqual(AnswerFilter.run([.normalizeWhitespace, .lowercase], on: "  SELECT  Name\tFROM t "), "select name from t")
        XCTAssertEqual(AnswerFilter.run([.firstChoiceLetter(letters: "ABCD")], on: "I think (C) or maybe D"), "C")
        XCTAssertEqual(AnswerFilter.run([.regex(pattern: "answer: (\\w+)", group: nil, selectLast: true)], on: "answer: x, answer: y"), "y")
        XCTAssertEqual(AnswerFilter.run([.firstLine], on: "one\ntwo"), "one")
    }
}
