/// An item's score: metric values by name, plus auxiliary values some aggregations need (for
/// example `loglikelihood` and `bytes` for bits per byte), and the extracted answer if any.
public struct ItemScore: Codable, Hashable, Sendable {
    public var values: [String: Double]
    public var extractedAnswer: String?
    /// How the item's answer fared, for scorers that tell more than 0/1 (`equivalent`,
    /// `no_answer`, `wrong_result`, `refused: writing (DELETE from city)`, `timeout`…); nil otherwise.
    public var outcome: String?

    public init(values: [String: Double], extractedAnswer: String? = nil, outcome: String? = nil) {
        self.values = values
        self.extractedAnswer = extractedAnswer
        self.outcome = outcome
    }
}

extension ItemScore {
    /// The names of the auxiliary per-item values that corpus-level aggregations read from
    /// ``ItemScore/values`` (scorers write them; `Metrics`' aggregation reads them).
    public enum Key {
        /// The item's log-likelihood in nats (`<= 0`).
        public static let logLikelihood = "loglikelihood"
        /// Tokens of the scored text (token perplexity's unit).
        public static let tokens = "tokens"
        /// Words of the scored text (word perplexity's unit).
        public static let words = "words"
        /// UTF-8 bytes of the scored text (byte perplexity's and bits per byte's unit).
        public static let bytes = "bytes"
    }
}
