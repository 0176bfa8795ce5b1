import Foundation
import Harness
@testable import Tasks
import XCTest

/// The shipped gsm8k.yaml's two extractors on the answer spellings models write: dollars,
/// thousands separators, a zero fraction, a sentence's full stop. Only the task file is read
/// (no dataset), so these run without `../shared`.
final class GSM8KExtractionTests: XCTestCase {
    func metric(_ name: String) throws -> MetricConfig {
        let spec = try TaskFileParser.parse(fileAt: Paths.shippedTasks.appendingPathComponent("gsm8k.yaml"))
        return try XCTUnwrap(spec.metrics.first { $0.name == name })
    }

    func strict(_ response: String, target: String) throws -> (Double, String?) {
        let m = try metric("exact_match_strict")
        let r = ItemMetrics.exactMatch(response: response, target: target, filters: m.filters, targetFilters: m.targetFilters)
        return (r.score, r.extracted)
    }

    func flexible(_ response: String, target: String) throws -> (Double, String?) {
        let m = try metric("exact_match_flexible")
        let r = ItemMetrics.exactMatch(response: response, target: target, filters: m.filters, targetFilters: m.targetFilters)
        return (r.score, r.extracted)
    }

    func testDollarsWithAZeroFractionAreTheInteger() throws {
        let (score, extracted) = try flexible("She makes 9 * 2 = $18 a day, so in total $29.00", target: "29")
        XCTAssertEqual(score, 1)
        XCTAssertEqual(extracted, "29")
        XCTAssertEqual(try flexible("The total is $29.50", target: "29").0, 0, "a non-zero fraction is a different number")
    }

    func testThousandsSeparators() throws {
        XCTAssertEqual(try flexible("so the house cost 1,234 dollars", target: "1234").1, "1234")
        XCTAssertEqual(try flexible("so the house cost 1,234 dollars", target: "1234").0, 1)
        // The target's own comma is normalised the same way (14 GSM8K targets have one).
        XCTAssertEqual(try flexible("it is 114200", target: "114,200").0, 1)
        XCTAssertEqual(try strict("...\n#### 1,234", target: "1234").0, 1)
        XCTAssertEqual(try strict("...\n#### 1,234", target: "1,234").1, "1234")
    }

    func testTrailingZeroFractionAndFullStop() throws {
        XCTAssertEqual(try strict("#### 18.00", target: "18").0, 1)
        XCTAssertEqual(try strict("#### 18.", target: "18").0, 1, "a sentence's full stop after the number")
        XCTAssertEqual(try flexible("The answer is 18.", target: "18").0, 1)
        XCTAssertEqual(try flexible("The answer is 18.0.", target: "18").0, 1)
        XCTAssertEqual(try flexible("The answer is 180.", target: "18").0, 0)
    }

    func testDollarSignAndNegativeAmounts() throws {
        XCTAssertEqual(try flexible("He is left with $5", target: "5").1, "5")
        XCTAssertEqual(try flexible("a change of -$5", target: "-5").0, 1)
        XCTAssertEqual(try flexible("it is $1,000,000.00.", target: "1000000").0, 1)
    }

    func testStrictNeedsTheHashMarksAndFlexibleTakesTheLastNumber() throws {
        XCTAssertEqual(try strict("The answer is 18", target: "18").0, 0)
        XCTAssertNil(try strict("The answer is 18", target: "18").1)
        XCTAssertEqual(try flexible("16 - 3 - 4 = 9 eggs, 9 * 2 = 18", target: "18").1, "18")
        // As lm-eval's `#### (\-?[0-9\.\,]+)`: a dollar sign after the marks is not a strict answer.
        XCTAssertEqual(try strict("#### $29.00", target: "29").0, 0)
        XCTAssertEqual(try flexible("#### $29.00", target: "29").0, 1)
    }
}
