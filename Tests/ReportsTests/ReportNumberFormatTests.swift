import XCTest
@testable import Reports

final class ReportNumberFormatTests: XCTestCase {
    typealias F = ReportNumberFormat

    func testNumbers() {
        XCTAssertEqual(F.number(0.5124), "0.512")
        XCTAssertEqual(F.number(-0.0), "0.000")
        XCTAssertEqual(F.number(-0.0004), "0.000")
        XCTAssertEqual(F.number(-0.0005, decimals: 4), "-0.0005")
        XCTAssertEqual(F.number(1_234_567.5, decimals: 1), "1234567.5")
        XCTAssertEqual(F.number(.nan), "n/a")
        XCTAssertEqual(F.number(.infinity), "∞")
        XCTAssertEqual(F.number(-.infinity), "-∞")
        XCTAssertEqual(F.number(2.5, decimals: 0), "2")
        XCTAssertEqual(F.number(1e-300), "0.000")
        XCTAssertEqual(F.signed(0.25, decimals: 2), "+0.25")
        XCTAssertEqual(F.signed(-0.0), "0.000")
    }

    func testValueWithInterval() {
        XCTAssertEqual(F.valueWithInterval(0.5124, halfWidth: 0.0311), "0.512 ± 0.031")
        XCTAssertEqual(F.valueWithInterval(0.5124, halfWidth: -0.0311), "0.512 ± 0.031")
        XCTAssertEqual(F.valueWithInterval(0.5124, halfWidth: nil), "0.512")
        XCTAssertEqual(F.valueWithInterval(0.5124, halfWidth: .nan), "0.512")
        XCTAssertEqual(F.valueWithInterval(.nan, halfWidth: 0.1), "n/a")
        XCTAssertEqual(F.valueWithInterval(0.5, halfWidth: .infinity, decimals: 1), "0.5 ± ∞")
        XCTAssertEqual(F.valueWithInterval(-0.0, halfWidth: 0, decimals: 2), "0.00 ± 0.00")
    }

    func testSignedPointsAndPercent() {
        XCTAssertEqual(F.signedPoints(1.23), "+1.2 pts")
        XCTAssertEqual(F.signedPoints(-54.05), "-54.0 pts") // 54.05 is 54.04999… in binary
        XCTAssertEqual(F.signedPoints(-54.06), "-54.1 pts")
        XCTAssertEqual(F.signedPoints(0), "0.0 pts")
        XCTAssertEqual(F.signedPoints(-0.0), "0.0 pts")
        XCTAssertEqual(F.signedPoints(-0.04), "0.0 pts")
        XCTAssertEqual(F.signedPoints(.nan), "n/a")
        XCTAssertEqual(F.signedPoints(.infinity), "+∞ pts")
        XCTAssertEqual(F.signedPoints(-.infinity), "-∞ pts")
        XCTAssertEqual(F.percent(-38.1948), "-38.19%")
        XCTAssertEqual(F.percent(3.2), "+3.20%")
        XCTAssertEqual(F.percent(3.2, alwaysSigned: false), "3.20%")
        XCTAssertEqual(F.percent(-0.001), "0.00%")
        XCTAssertEqual(F.percent(.nan), "n/a")
        XCTAssertEqual(F.percent(-.infinity), "-∞%")
    }

    func testPValues() {
        XCTAssertEqual(F.pValue(0.003), "p = 0.003")
        XCTAssertEqual(F.pValue(0.0034), "p = 0.003")
        XCTAssertEqual(F.pValue(0.001), "p = 0.001")
        XCTAssertEqual(F.pValue(0.000_999_9), "p < 0.001")
        XCTAssertEqual(F.pValue(1e-300), "p < 0.001")
        XCTAssertEqual(F.pValue(Double.leastNonzeroMagnitude), "p < 0.001")
        XCTAssertEqual(F.pValue(0), "p < 0.001")
        XCTAssertEqual(F.pValue(-0.0), "p < 0.001")
        XCTAssertEqual(F.pValue(1), "p = 1.000")
        XCTAssertEqual(F.pValue(1.000_000_000_2), "p = 1.000")
        XCTAssertEqual(F.pValue(1.5), "p = n/a")
        XCTAssertEqual(F.pValue(-0.1), "p = n/a")
        XCTAssertEqual(F.pValue(.nan), "p = n/a")
        XCTAssertEqual(F.pValue(.infinity), "p = n/a")
        XCTAssertEqual(F.pValue(0.04, decimals: 1), "p < 0.1")
        XCTAssertEqual(F.pValue(2e-5, decimals: 4), "p < 0.0001")
    }

    func testSignificanceMarks() {
        XCTAssertEqual(SignificanceMark.mark(p: 0.2), "")
        XCTAssertEqual(SignificanceMark.mark(p: 0.05), "")
        XCTAssertEqual(SignificanceMark.mark(p: 0.049), "*")
        XCTAssertEqual(SignificanceMark.mark(p: 0.009), "**")
        XCTAssertEqual(SignificanceMark.mark(p: 0.0009), "***")
        XCTAssertEqual(SignificanceMark.mark(p: 0), "***")
        XCTAssertEqual(SignificanceMark.mark(p: .nan), "")
        XCTAssertEqual(SignificanceMark.mark(p: 0.02, thresholds: [0.01, 0.1, .nan]), "*")
        XCTAssertEqual(SignificanceMark.legend(note: "Holm-adjusted"), "* p < 0.05, ** p < 0.01, *** p < 0.001 (Holm-adjusted)")
    }

    func testArrowsAndBadges() {
        XCTAssertEqual(DirectionArrow.arrow(higherIsBetter: true), "↑")
        XCTAssertEqual(DirectionArrow.arrow(higherIsBetter: false), "↓")
        XCTAssertEqual(DirectionArrow.label("perplexity", higherIsBetter: false), "perplexity ↓")
        XCTAssertEqual(GateBadge.allCases.map(\.badge), ["✅ pass", "❌ fail", "⚠️ inconclusive", "🟢 improved"])
        XCTAssertEqual(GateBadge(outcome: " Improved\n"), .improved)
        XCTAssertEqual(GateBadge(rawValue: "inconclusive"), .inconclusive)
        XCTAssertNil(GateBadge(outcome: "maybe"))
    }
}
