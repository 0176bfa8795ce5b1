import Foundation
import Harness
/// Applies a ``MaskingRegime`` to scored examples: which trainable response tokens are dropped.
///
/// The candidates are the response tokens at positions >= 1 (``TokenizedExample/trainablePositions``)
/// of every example, in dataset order (example, then position). Ranked regimes (`top-fraction`,
/// `lowest`) sort them by perplexity with ties broken by that order; `random` draws without
/// replacement by a partial Fisher-Yates shuffle of that list driven by ``SplitMix64``(seed).
/// `dpf` and `stm+dpf` compare each token's base perplexity with its perplexity under a reference
/// model (`reference`: the same token sequences scored by a ground-truth fine-tune of the base).
public enum MaskSelector {
    /// A candidate token: example index and position.
    public struct Position: Hashable, Sendable {
        public var example: Int
        public var token: Int
    }

    /// `masked[e][t]`: token `t` of example `e` is dropped from the loss by the regime (prompt
    /// tokens are never marked; they are excluded regardless).
    /// - Throws: ``MaskingError/badReference(_:)`` when a `dpf` regime has no `reference`, or its
    ///   examples are not the same token sequences as `scores`.
    public static func select(_ regime: MaskingRegime, scores: [ScoredExample], seed: UInt64,
                              reference: [ScoredExample]? = nil) throws -> [[Bool]] {
        var masked = scores.map { [Bool](repeating: false, count: $0.tokens.inputIDs.count) }
        let candidates = scores.enumerated().flatMap { e, s in s.tokens.trainablePositions.map { Position(example: e, token: $0) } }
        func ppl(_ p: Position) -> Double { scores[p.example].perplexity(at: p.token) }
        if regime.needsReference {
            guard let reference else {
                throw MaskingError.badReference("\(regime) needs the training set scored by a reference model (a ground-truth fine-tune of the base)")
            }
            guard reference.count == scores.count, zip(reference, scores).allSatisfy({ $0.tokens.inputIDs == $1.tokens.inputIDs }) else {
                throw MaskingError.badReference("\(regime): the reference scores are not of the same token sequences as the base scores")
            }
        }
        /// ppl_reference − ppl_base (dpf's score).
        func rise(_ p: Position) -> Double { reference![p.example].perplexity(at: p.token) - ppl(p) }
        func count(_ c: MaskingRegime.MaskCount) -> Int {
            switch c {
            case .matched(let tau): return candidates.filter { ppl($0) > tau }.count
            case .fraction(let k): return min(candidates.count, Int((k * Double(candidates.count)).rounded()))
            }
        }
        /// Candidates ordered by perplexity (ascending or descending), ties in dataset order.
        func ranked(descending: Bool) -> [Position] {
            let values: [Double] = candidates.map(ppl)
            let order: [Int] = candidates.indices.sorted { (a: Int, b: Int) -> Bool in
                if values[a] != values[b] { return descending ? values[a] > values[b] : values[a] < values[b] }
                return a < b
            }
            return order.map { candidates[$0] }
        }
        let chosen: [Position]
        switch regime {
        case .groundTruth, .soft:
            chosen = []
        case .dpf(let threshold):
            chosen = candidates.filter { rise($0) > threshold }
        case .stmDPF(let tau):
            chosen = candidates.filter { ppl($0) > tau || rise($0) > 0 }
        case .stm(let tau):
            chosen = candidates.filter { ppl($0) > tau }
        case .topFraction(let k):
            chosen = Array(ranked(descending: true).prefix(count(.fraction(k))))
        case .lowest(let c):
            chosen = Array(ranked(descending: false).prefix(count(c)))
        case .random(let c):
            let n = count(c)
            var pool = candidates
            var rng = SplitMix64(seed: seed)
            for i in 0 ..< n {
                pool.swapAt(i, i + rng.below(pool.count - i))
            }
            chosen = Array(pool.prefix(n))
        }
        for p in chosen { masked[p.example][p.token] = true }
        return masked
    }

    /// The loss weight of every token under `regime`, or nil when the regime only drops tokens
    /// (every kept token weighs 1). `soft`: `weights[e][t]` = p_base(token t) = exp(log p) for the
    /// trainable response positions, 0 elsewhere (those carry no loss anyway).
    public static func weights(_ regime: MaskingRegime, scores: [ScoredExample]) -> [[Double]]? {
        guard regime.weightsTokens else { return nil }
        return scores.map { s in
            var w = [Double](repeating: 0, count: s.tokens.inputIDs.count)
            for t in s.tokens.trainablePositions { w[t] = Foundation.exp(s.logProbs[t - 1]) }
            return w
        }
    }
}
