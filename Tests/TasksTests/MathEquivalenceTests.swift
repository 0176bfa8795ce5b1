import Foundation
import Harness
@testable import Tasks
import XCTest

final class MathEquivalenceTests: XCTestCase {
    func testLastBoxedKeepsNestedBracesAndTakesTheLast() {
        XCTAssertEqual(MathAnswerExtraction.lastBoxed(in: "so $\\boxed{1}$, no wait: $\\boxed{\\frac{1}{2}}$."), "\\frac{1}{2}")
        XCTAssertEqual(MathAnswerExtraction.lastBoxed(in: "\\boxed{\\{1, 2\\}}"), "\\{1, 2\\}")
        XCTAssertEqual(MathAnswerExtraction.lastBoxed(in: "The answer is \\fbox{7}"), "7")
        XCTAssertEqual(MathAnswerExtraction.lastBoxed(in: "$\\boxed 5$"), "5")
        XCTAssertNil(MathAnswerExtraction.lastBoxed(in: "The answer is 5."))
        XCTAssertNil(MathAnswerExtraction.lastBoxed(in: "\\boxed{\\frac{1}{2}"), "unbalanced")
    }

    func testHendrycksNormalisation() {
        XCTAssertEqual(MathNormalization.normalize("\\dfrac{1}{2}"), "\\frac{1}{2}")
        XCTAssertEqual(MathNormalization.normalize("\\left( 3, \\frac{\\pi}{2} \\right)"), "(3,\\frac{\\pi}{2})")
        XCTAssertEqual(MathNormalization.normalize("10^\\circ"), "10")
        XCTAssertEqual(MathNormalization.normalize("10^{\\circ}"), "10")
        XCTAssertEqual(MathNormalization.normalize("\\$32,\\!348"), "32348")
        XCTAssertEqual(MathNormalization.normalize("12\\text{ cm}"), "12")
        XCTAssertEqual(MathNormalization.normalize("x = 5"), "5")
        XCTAssertEqual(MathNormalization.normalize("0.5"), "\\frac{1}{2}")
        XCTAssertEqual(MathNormalization.normalize("3/4"), "\\frac{3}{4}")
        XCTAssertEqual(MathNormalization.normalize("\\frac12"), "\\frac{1}{2}")
        XCTAssertEqual(MathNormalization.normalize("\\sqrt3"), "\\sqrt{3}")
        XCTAssertEqual(MathNormalization.normalize("5."), "5")
        XCTAssertEqual(MathNormalization.normalize(".5"), "\\frac{1}{2}")
        XCTAssertEqual(MathNormalization.normalize("\\text{(C)}"), "(C)")
    }

    func assertEquivalent(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(MathEquivalence.equivalent(a, b), "\(a) should equal \(b)", file: file, line: line)
    }

    func assertDifferent(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(MathEquivalence.equivalent(a, b), "\(a) should differ from \(b)", file: file, line: line)
    }

    func testNumbersInTheirSpellings() {
        assertEquivalent("0.5", "\\frac{1}{2}")
        assertEquivalent("1/2", "\\dfrac{1}{2}")
        assertEquivalent("2\\frac{1}{2}", "\\frac{5}{2}")    // a mixed number
        assertEquivalent("2.5", "2\\frac{1}{2}")
        assertEquivalent("1,234", "1234")
        assertEquivalent("5.0", "5")
        assertEquivalent("0.333333", "\\frac{1}{3}")          // rounded to 6 decimals
        assertDifferent("0.33", "\\frac{1}{3}")
        assertEquivalent("1.5\\times10^{3}", "1500")           // scientific notation
        assertEquivalent("50\\%", "50")
        assertEquivalent("50\\%", "0.5")
        assertDifferent("51", "50")
        assertDifferent("-5", "5")
    }

    func testRootsPiAndExpressions() {
        assertEquivalent("2\\sqrt{2}", "\\sqrt{8}")
        assertEquivalent("\\sqrt[3]{-8}", "-2")
        assertEquivalent("\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}\\sqrt{3}")
        assertDifferent("\\sqrt{3}", "\\sqrt{2}")
        assertEquivalent("2\\pi", "\\pi\\cdot 2")
        assertDifferent("2\\pi", "2")
        assertDifferent("\\pi", "3.14")
        assertEquivalent("(x+1)^2", "x^2+2x+1")
        assertEquivalent("\\frac{x^2-1}{x-1}", "x+1")
        assertDifferent("x^2+2x+1", "x^2+2x-1")
        assertEquivalent("y = 2x + 3", "3 + 2x")
        assertEquivalent("\\sin^2\\theta + \\cos^2\\theta", "1")
        assertEquivalent("\\log_2 8", "3")
        assertEquivalent("5!", "120")
    }

    func testTuplesIntervalsAndSets() {
        assertEquivalent("\\left( 3, \\frac{\\pi}{2} \\right)", "(3,\\pi/2)")
        assertDifferent("(1, 2)", "(2, 1)")                   // order matters in a tuple
        assertDifferent("(1, 2]", "(1, 2)")                   // and the brackets of an interval
        assertDifferent("[1, 2)", "(1, 2)")
        assertEquivalent("(-\\infty, 0]", "[-\\infty, 0]")    // no bracket includes infinity
        assertEquivalent("\\{1, 2, 3\\}", "\\{3, 1, 2\\}")   // not in a set
        assertEquivalent("2, -3", "-3, 2")                     // nor in a list of roots
        assertDifferent("2, -3", "2")
        assertEquivalent("(-\\infty, 2) \\cup (3, \\infty)", "(-\\infty,2)\\cup(3,\\infty)")
        assertEquivalent("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}")
        assertDifferent("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix} 2 \\\\ 1 \\end{pmatrix}")
    }

    func testTextAnswers() {
        assertEquivalent("\\text{(C)}", "C")
        assertEquivalent("\\text{Evelyn}", "Evelyn")
        assertDifferent("\\text{Evelyn}", "Evelny")           // a word, not a product of variables
        assertDifferent("", "5")
    }

    func testHostileAnswersAreRejectedQuickly() {
        let deep = String(repeating: "(", count: 400) + "1" + String(repeating: ")", count: 400)
        assertDifferent(deep, "1")                              // too deep to parse: not equal, no crash
        assertEquivalent("((((1))))", "1")
        let long = String(repeating: "1+", count: 5_000) + "1"
        assertDifferent(long, "5001")                           // too long: text comparison only
        assertEquivalent(long, long)
        assertDifferent("10^{10^{10}}", "1")
        assertDifferent("1000!", "1")
    }

    func testScoringExtractsTheLastBoxedAnswer() {
        let r = ItemMetrics.mathEquivalence(response: "We get $x = 2$, so the answer is $\\boxed{\\dfrac{4}{2}}$.", target: "2",
                                        filters: [.lastBoxed], targetFilters: [])
        XCTAssertEqual(r.score, 1)
        XCTAssertEqual(r.extracted, "\\dfrac{4}{2}")
        XCTAssertEqual(r.outcome, "equivalent")
        let none = ItemMetrics.mathEquivalence(response: "It is 2.", target: "2", filters: [.lastBoxed], targetFilters: [])
        XCTAssertEqual(none.score, 0)
        XCTAssertEqual(none.outcome, "no_answer")
        let wrong = ItemMetrics.mathEquivalence(response: "\\boxed{3}", target: "2", filters: [.lastBoxed], targetFilters: [])
        XCTAssertEqual(wrong.outcome, "not_equivalent")
    }
}
