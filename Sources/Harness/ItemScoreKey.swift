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
