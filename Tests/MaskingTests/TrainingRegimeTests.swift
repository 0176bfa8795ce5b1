import Masking
import XCTest

/// A spec's regime list is one type: data regimes by name, everything else a masking regime, with
/// TAU's default and its rule owned by `MaskingRegime`.
final class TrainingRegimeTests: XCTestCase {
    func testDataRegimesAndMaskingRegimesParse() throws {
        XCTAssertEqual(try TrainingRegime.parse("self-output"), .data(.selfOutput))
        XCTAssertEqual(try TrainingRegime.parse("rephrase"), .data(.rephrase))
        XCTAssertEqual(try TrainingRegime.parse("stm"), .masking(.stm(tau: MaskingRegime.defaultTau)))
        XCTAssertEqual(try TrainingRegime.parse("stm", tau: 4), .masking(.stm(tau: 4)))
        XCTAssertEqual(try TrainingRegime.parse("random:matched", tau: 3), .masking(.random(.matched(tau: 3))))
        XCTAssertEqual(try TrainingRegime.parse("ground-truth").kind, "masking")
        XCTAssertEqual(try TrainingRegime.parse("self-output").kind, "data")
        XCTAssertEqual(try TrainingRegime.parse("stm:3").description, "stm:3")
        XCTAssertEqual(try TrainingRegime.parse("self-output").description, "self-output")
        XCTAssertEqual(DataRegime.allCases.map(\.rawValue), ["self-output", "rephrase"])
        XCTAssertThrowsError(try TrainingRegime.parse("self_output")) { error in
            XCTAssertTrue("\(error)".contains("unknown regime 'self_output'"), "\(error)")
        }
    }

    func testTauRuleIsOneRule() {
        XCTAssertEqual(MaskingRegime.defaultTau, 2.5)
        XCTAssertNoThrow(try MaskingRegime.checkTau(1.0001, source: "x"))
        for bad in [1.0, 0.5, -2] {
            XCTAssertThrowsError(try MaskingRegime.checkTau(bad, source: "tau: \(bad)")) { error in
                XCTAssertTrue("\(error)".contains("TAU must be greater than 1") && "\(error)".contains("got tau: \(bad)"), "\(error)")
            }
            XCTAssertThrowsError(try TrainingRegime.parse("stm", tau: bad))
        }
    }
}
