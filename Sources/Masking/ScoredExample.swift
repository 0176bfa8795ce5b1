import Foundation

/// A tokenized example with the frozen base model's teacher-forced log-probabilities.
public struct ScoredExample: Hashable, Sendable {
    /// The labelled token sequence that was scored.
    public var tokens: TokenizedExample
    /// `logProbs[i]` = natural-log p(token `i + 1` | tokens `0...i`); one fewer than the tokens.
    public var logProbs: [Double]

    public init(tokens: TokenizedExample, logProbs: [Double]) {
        precondition(logProbs.count == max(0, tokens.inputIDs.count - 1))
        self.tokens = tokens
        self.logProbs = logProbs
    }

    /// Perplexity of token `t` (t >= 1): exp(-log p(token t | tokens < t)), at least 1.
    public func perplexity(at t: Int) -> Double { Foundation.exp(-logProbs[t - 1]) }

    /// Per-token perplexities as written to the dataset: nil for token 0 (nothing predicts it).
    /// A perplexity beyond the largest finite Double (log p < -709.78) is written as that largest
    /// value, since JSON has no infinity.
    public var perplexities: [Double?] { [nil] + logProbs.map { min(Foundation.exp(-$0), .greatestFiniteMagnitude) } }
}
