import Foundation
import Harness
import Jinja
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
        try PromptTemplate(source).render(record)
    }

    func testFieldsIndexesAndFilters() throws {
        XCTAssertEqual(try render("Question: {{question}}\nAnswer:"), "Question: What is 2 + 3?\nAnswer:")
        XCTAssertEqual(try render("{{ choices[0] }}|{{choices[-1]}}|{{gold}}"), "4|5|1")
        XCTAssertEqual(try render("{{meta.source | upper}}"), "UNIT")
        XCTAssertEqual(try render(#"{{meta["source"]}}"#), "unit")
        XCTAssertEqual(try render("{{answer | after(\"####\") | trim}}"), "5")
        XCTAssertEqual(try render(#"{{answer | after_last("=") | before("\n")}}"#), " 5")
        XCTAssertEqual(try render(#"{{answer | before("\n")}}"#), "2 + 3 = 5")
        XCTAssertEqual(try render(#"{{answer | through("=")}}"#), "2 + 3 =")
        XCTAssertEqual(try render(#"{{choices | join(", ")}}"#), "4, 5")
        XCTAssertEqual(try render("{{gold | letter}}"), "B")
        XCTAssertEqual(try render(#"{{ "{{" }}literal"#), "{{literal")
        XCTAssertEqual(try render(#"{{question | replace("2", "two")}}"#), "What is two + 3?")
        // Inside a Jinja string literal a backslash escapes, as in Python: `\\boxed` is `\boxed`.
        XCTAssertEqual(try render(#"{{ "x \\boxed{\\frac{1}{2}} y" | last_boxed }}"#), #"\frac{1}{2}"#)
        // Jinja beyond the old subset: methods, conditionals, loops; a final newline is kept.
        XCTAssertEqual(try render("{{ answer.split('####')[-1].strip() }}"), "5")
        XCTAssertEqual(try render("{% for c in choices %}{{ loop.index }}. {{ c }}\n{% endfor %}"), "1. 4\n2. 5\n")
        XCTAssertEqual(try render("{{ choices[gold] if gold is defined else 'none' }}\n"), "5\n")
    }

    /// `regex_replace` against Python's `re.sub` (the expected texts are what `re.sub(pattern, repl,
    /// text, count=count)` printed under Python 3 for these arguments).
    func testRegexReplaceIsPythonsReSub() throws {
        func sub(_ text: String, _ pattern: String, _ replacement: String, _ count: Int = 0) throws -> String {
            let record: JSONValue = .object(["t": .string(text), "p": .string(pattern), "r": .string(replacement), "n": .number(String(count))])
            return try PromptTemplate("{{ t | regex_replace(p, r, n) }}").render(record)
        }
        XCTAssertEqual(try sub("2 + 3 = 5\n#### 5", #"\s+"#, " "), "2 + 3 = 5 #### 5")
        XCTAssertEqual(try sub("a1b22c333", #"(\d+)"#, #"<\1>"#), "a<1>b<22>c<333>")
        XCTAssertEqual(try sub("a1b22c333", #"(\d+)"#, #"<\g<1>>"#, 2), "a<1>b<22>c333")
        XCTAssertEqual(try sub("cost: $5", #"\$(\d)"#, #"\g<0> USD"#), "cost: $5 USD")
        XCTAssertEqual(try sub("x.y", #"\."#, #"\\"#), #"x\y"#)
        XCTAssertEqual(try sub("Question: hi", #"^(?P<head>\w+): "#, #"\g<head> -> "#), "Question -> hi")
        XCTAssertEqual(try sub("tab", "a", #"\t"#), "t\tb")
        XCTAssertEqual(try render(##"{{ question | regex_replace("[0-9]", "#") }}"##), "What is # + #?")
    }

    func testExpressionsGiveValues() throws {
        XCTAssertEqual(try PromptTemplate(expression: "choices").value(record).listItems?.map(\.pythonStr), ["4", "5"])
        XCTAssertEqual(try PromptTemplate(expression: "{{ choices }}").value(record).listItems?.count, 2)
        XCTAssertEqual(try PromptTemplate(expression: "gold").value(record).pythonStr, "1")
        XCTAssertThrowsError(try PromptTemplate(expression: "Q: {{ gold }}")) { XCTAssertTrue("\($0)".contains("expected one expression"), "\($0)") }
    }

    func testSyntaxErrors() {
        XCTAssertThrowsError(try PromptTemplate("{{question")) { XCTAssertTrue("\($0)".contains("TemplateSyntaxError at line 1"), "\($0)") }
        XCTAssertThrowsError(try PromptTemplate("{{question | lowr}}")) {
            XCTAssertEqual("\($0)", "unknown template filter 'lowr' (did you mean 'lower'?)")
        }
        XCTAssertThrowsError(try render(#"{{answer | after}}"#)) { XCTAssertTrue("\($0)".contains("takes one string argument"), "\($0)") }
    }

    func testEvaluationErrors() throws {
        XCTAssertThrowsError(try render("{{questoin}}")) { error in
            guard case let TemplateEvalError.missingField(field, available)? = error as? TemplateEvalError else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "questoin")
            XCTAssertTrue(available.contains("question"))
        }
        XCTAssertThrowsError(try render("{{meta.sorce}}")) { error in
            guard case let TemplateEvalError.failed(message)? = error as? TemplateEvalError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("has no attribute 'sorce'"), message)
        }
        XCTAssertThrowsError(try render("{{choices[5]}}"))
        XCTAssertThrowsError(try render(#"{{answer | after("@@")}}"#)) { error in
            guard case let TemplateEvalError.failed(message)? = error as? TemplateEvalError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains(#"filter 'after': "@@" does not occur"#), message)
        }
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
