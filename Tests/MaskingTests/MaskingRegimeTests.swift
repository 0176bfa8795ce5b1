import Harness
import Masking
import XCTest

final class MaskingRegimeTests: XCTestCase {
    func testParsesEveryForm() throws {
        XCTAssertEqual(try MaskingRegime.parse("ground-truth"), .groundTruth)
        XCTAssertEqual(try MaskingRegime.parse("stm:2.5"), .stm(tau: 2.5))
        XCTAssertEqual(try MaskingRegime.parse("stm", tau: 3), .stm(tau: 3))
        XCTAssertEqual(try MaskingRegime.parse("top-fraction:0.25"), .topFraction(0.25))
        XCTAssertEqual(try MaskingRegime.parse("random:matched", tau: 2), .random(.matched(tau: 2)))
        XCTAssertEqual(try MaskingRegime.parse("random:0.1"), .random(.fraction(0.1)))
        XCTAssertEqual(try MaskingRegime.parse("lowest:matched"), .lowest(.matched(tau: 2.5)))
        XCTAssertEqual(try MaskingRegime.parse("lowest:0"), .lowest(.fraction(0)))
        for text in ["ground-truth", "stm:2.5", "top-fraction:0.25", "random:matched", "lowest:0.3"] {
            XCTAssertEqual(try MaskingRegime.parse(text).description, text)
        }
        XCTAssertEqual(try MaskingRegime.parse("stm:3").tau, 3)
        XCTAssertNil(try MaskingRegime.parse("top-fraction:0.2").tau)
    }

    func testUnparsableRegimesListTheValidForms() {
        for text in ["", "stm:abc", "top-fraction", "random", "lowest:", "bogus", "ground-truth:1", "random:half"] {
            XCTAssertThrowsError(try MaskingRegime.parse(text), text) { error in
                let message = String(describing: error)
                XCTAssertTrue(message.contains("valid forms") && message.contains("stm:TAU") && message.contains("random:matched"), message)
                XCTAssertFalse(message.contains("\n"))
            }
        }
    }

    func testTauMustExceedOne() {
        for (text, tau) in [("stm:1", 2.5), ("stm:0.5", 2.5), ("stm", 1.0), ("random:matched", 0.9), ("lowest:matched", 1.0)] {
            XCTAssertThrowsError(try MaskingRegime.parse(text, tau: tau), text) { error in
                XCTAssertTrue(String(describing: error).contains("TAU must be greater than 1"), String(describing: error))
            }
        }
    }

    func testFractionsMustBeWithinZeroAndOne() {
        for text in ["top-fraction:1.5", "random:-0.1", "lowest:2"] {
            XCTAssertThrowsError(try MaskingRegime.parse(text), text) { error in
                XCTAssertTrue(String(describing: error).contains("between 0 and 1"), String(describing: error))
            }
        }
    }

    func testGeneratorIsDeterministic() {
        var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7), c = SplitMix64(seed: 8)
        let xs = (0..<5).map { _ in a.next() }
        XCTAssertEqual(xs, (0..<5).map { _ in b.next() })
        XCTAssertNotEqual(xs, (0..<5).map { _ in c.next() })
        // SplitMix64's published first output for seed 0.
        var zero = SplitMix64(seed: 0)
        XCTAssertEqual(zero.next(), 0xE220_A839_7B1D_CDAF)
        for _ in 0..<100 { XCTAssertTrue((0..<7).contains(a.below(7))) }
    }
}
