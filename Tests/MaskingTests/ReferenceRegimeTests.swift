import Foundation
import Harness
import Masking
import XCTest

/// `dpf`, `stm+dpf` and `soft` on constructed perplexities: which tokens each drops, and the weights.
final class ReferenceRegimeTests: XCTestCase {
    /// Two prompt tokens then four response tokens; `ppl[i]` is the perplexity of token i + 1.
    private static func scored(_ ppl: [Double], ids: [Int] = [1, 10, 11, 12, 13, 14]) -> ScoredExample {
        ScoredExample(tokens: TokenizedExample(inputIDs: ids, isResponse: [false, false, true, true, true, true]),
                      logProbs: ppl.map { -log($0) })
    }

    // Base: the prompt token 1 (ppl 9, never a candidate), then the response tokens 2...5.
    private let base = [scored([9, 1.5, 3, 1.2, 10]), scored([2, 2, 1.1, 40, 1.05])]
    // After a ground-truth fine-tune: token 2 rose by 3, token 5 by 20; the second example's token 4 fell.
    private let reference = [scored([9, 4.5, 2, 1.1, 30]), scored([2, 2.2, 1.1, 1.5, 1.06])]

    private func maskedPositions(_ regime: MaskingRegime) throws -> [[Int]] {
        try MaskSelector.select(regime, scores: base, seed: 0, reference: reference).map { row in row.indices.filter { row[$0] } }
    }

    func testParsesTheNewForms() throws {
        XCTAssertEqual(try MaskingRegime.parse("dpf:1"), .dpf(threshold: 1))
        XCTAssertEqual(try MaskingRegime.parse("dpf:-0.5"), .dpf(threshold: -0.5))
        XCTAssertEqual(try MaskingRegime.parse("dpf", tau: 3), .dpf(threshold: 3))
        XCTAssertEqual(try MaskingRegime.parse("stm+dpf:2.5"), .stmDPF(tau: 2.5))
        XCTAssertEqual(try MaskingRegime.parse("stm+dpf", tau: 4), .stmDPF(tau: 4))
        XCTAssertEqual(try MaskingRegime.parse("soft"), .soft)
        for text in ["dpf:1", "stm+dpf:2.5", "soft"] { XCTAssertEqual(try MaskingRegime.parse(text).description, text) }
        XCTAssertThrowsError(try MaskingRegime.parse("soft:1"))
        XCTAssertThrowsError(try MaskingRegime.parse("dpf:x"))
        XCTAssertThrowsError(try MaskingRegime.parse("stm+dpf:1")) { XCTAssertTrue(String(describing: $0).contains("TAU must be greater than 1")) }
        XCTAssertTrue(try MaskingRegime.parse("dpf").needsReference)
        XCTAssertTrue(try MaskingRegime.parse("stm+dpf").needsReference)
        XCTAssertFalse(try MaskingRegime.parse("soft").needsReference)
        XCTAssertTrue(MaskingRegime.soft.weightsTokens)
        XCTAssertFalse(MaskingRegime.stm(tau: 2.5).weightsTokens)
        XCTAssertEqual(MaskingRegime.stmDPF(tau: 2.5).tau, 2.5)
    }

    func testDPFDropsTokensWhosePerplexityRoseByMoreThanT() throws {
        // Rises (ref - base) at positions 2...5: [3, -1, -0.1, 20] and [0.2, 0, -38.5, 0.01].
        XCTAssertEqual(try maskedPositions(.dpf(threshold: 1)), [[2, 5], []])
        XCTAssertEqual(try maskedPositions(.dpf(threshold: 5)), [[5], []])
        XCTAssertEqual(try maskedPositions(.dpf(threshold: 0)), [[2, 5], [2, 5]])
        // A negative T also drops tokens that fell by less than |T|; the prompt token never.
        XCTAssertEqual(try maskedPositions(.dpf(threshold: -0.5)), [[2, 4, 5], [2, 3, 5]])
    }

    func testSTMPlusDPFDropsHighPerplexityAndRisingTokens() throws {
        // STM at 2.5 alone drops [3, 5] and [4]; the rises add 2 (first) and 2, 5 (second).
        XCTAssertEqual(try MaskSelector.select(.stm(tau: 2.5), scores: base, seed: 0).map { row in row.indices.filter { row[$0] } }, [[3, 5], [4]])
        XCTAssertEqual(try maskedPositions(.stmDPF(tau: 2.5)), [[2, 3, 5], [2, 4, 5]])
        XCTAssertEqual(try maskedPositions(.stmDPF(tau: 100)), [[2, 5], [2, 5]])
    }

    func testDPFNeedsMatchingReferenceScores() {
        XCTAssertThrowsError(try MaskSelector.select(.dpf(threshold: 0), scores: base, seed: 0)) { error in
            XCTAssertTrue(String(describing: error).contains("reference"), String(describing: error))
        }
        let shifted = [Self.scored([9, 4.5, 2, 1.1, 30], ids: [1, 10, 11, 12, 13, 15]), reference[1]]
        XCTAssertThrowsError(try MaskSelector.select(.stmDPF(tau: 2.5), scores: base, seed: 0, reference: shifted)) { error in
            XCTAssertTrue(String(describing: error).contains("same token sequences"), String(describing: error))
        }
        XCTAssertThrowsError(try MaskSelector.select(.dpf(threshold: 0), scores: base, seed: 0, reference: [reference[0]]))
    }

    func testSoftKeepsEveryTokenAndWeightsItByItsBaseProbability() throws {
        XCTAssertEqual(try maskedPositions(.soft), [[], []])
        XCTAssertNil(MaskSelector.weights(.stm(tau: 2.5), scores: base))
        let weights = try XCTUnwrap(MaskSelector.weights(.soft, scores: base))
        let expected: [[Double]] = [[0, 0, 1 / 1.5, 1 / 3.0, 1 / 1.2, 1 / 10.0], [0, 0, 1 / 2.0, 1 / 1.1, 1 / 40.0, 1 / 1.05]]
        for (w, e) in zip(weights, expected) {
            XCTAssertEqual(w.count, e.count)
            for (a, b) in zip(w, e) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        }
        // A dataset line carries the weights, zero where the label is -100.
        let line = MaskedExample(scored: base[0], masked: [false, false, false, true, false, false], weights: weights[0])
        XCTAssertEqual(line.labels, [-100, -100, 11, -100, 13, 14])
        XCTAssertEqual(line.weights!.map { ($0 * 1e9).rounded() / 1e9 }, [0, 0, 0.666666667, 0, 0.833333333, 0.1])
        let json = String(decoding: try JSONEncoder().encode(line), as: UTF8.self)
        XCTAssertTrue(json.contains("\"weights\""))
        let plain = String(decoding: try JSONEncoder().encode(MaskedExample(scored: base[0], masked: [Bool](repeating: false, count: 6))), as: UTF8.self)
        XCTAssertFalse(plain.contains("weights"), "unweighted lines keep the old layout")
    }
}
