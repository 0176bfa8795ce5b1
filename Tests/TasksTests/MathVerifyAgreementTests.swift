import Foundation
@testable import Tasks
import XCTest

/// `MathEquivalence` against math-verify (Hugging Face's MATH grader) on 2,219 (gold, candidate)
/// pairs built from MATH-500's answers by scripts/reference/math_verify_pairs.py (its verdicts
/// are in the fixture, so no Python runs here). At least 98% must agree, and every pair where
/// they differ must be listed in disagreements.json with who is right and why; a listed pair
/// that no longer differs fails too, so the list stays true.
final class MathVerifyAgreementTests: XCTestCase {
    /// A pair of the fixture, with the fields this test reads.
    struct Pair: Decodable { var gold: String, candidate: String, kind: String, math_verify: Bool }
    struct PairFile: Decodable { var pairs: [Pair] }

    /// Who is right about a listed disagreement (`neither`: both readings are defensible).
    enum Verdict: String, Decodable { case ours, math_verify, neither }
    /// A listed disagreement: both verdicts, who is right, and why.
    struct Disagreement: Decodable { var gold: String, candidate: String, math_verify: Bool, ours: Bool, right: Verdict, comment: String }
    struct DisagreementFile: Decodable { var disagreements: [Disagreement] }

    static let fixtures = Paths.tests.appendingPathComponent("Fixtures/math")

    func testAgreementWithMathVerifyIsAtLeast98PercentAndEveryDisagreementIsExplained() throws {
        let pairs = try JSONDecoder().decode(PairFile.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("math_verify_pairs.json"))).pairs
        let listed = try JSONDecoder().decode(DisagreementFile.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("disagreements.json"))).disagreements
        XCTAssertGreaterThanOrEqual(pairs.count, 1000)

        var differing: [(Pair, Bool)] = []
        for pair in pairs {
            let ours = MathEquivalence.equivalent(pair.candidate, pair.gold)
            if ours != pair.math_verify { differing.append((pair, ours)) }
        }
        let agreement = Double(pairs.count - differing.count) / Double(pairs.count)
        print("math-verify agreement: \(pairs.count - differing.count) of \(pairs.count) pairs (\(String(format: "%.2f", agreement * 100))%), \(differing.count) disagreements")
        XCTAssertGreaterThanOrEqual(agreement, 0.98)

        let listedKeys = Dictionary(listed.map { ("\($0.gold)\u{1F}\($0.candidate)", $0) }, uniquingKeysWith: { a, _ in a })
        for (pair, ours) in differing {
            guard let entry = listedKeys["\(pair.gold)\u{1F}\(pair.candidate)"] else {
                XCTFail("unlisted disagreement: gold \(pair.gold) candidate \(pair.candidate) (\(pair.kind)): math-verify \(pair.math_verify), ours \(ours)")
                continue
            }
            XCTAssertEqual(entry.ours, ours, "disagreements.json says ours is \(entry.ours) for \(pair.gold) / \(pair.candidate)")
            XCTAssertEqual(entry.math_verify, pair.math_verify)
        }
        let differingKeys = Set(differing.map { "\($0.0.gold)\u{1F}\($0.0.candidate)" })
        for entry in listed {
            XCTAssertTrue(differingKeys.contains("\(entry.gold)\u{1F}\(entry.candidate)"), "listed but no longer a disagreement: \(entry.gold) / \(entry.candidate)")
            XCTAssertFalse(entry.comment.isEmpty)
        }
    }
}
