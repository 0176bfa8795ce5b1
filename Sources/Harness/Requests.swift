/// The log-likelihood of `continuation` following `context` (lm-evaluation-harness's `loglikelihood`).
public struct LoglikelihoodRequest: Codable, Hashable, Sendable {
    public var context: String
    public var continuation: String
    public init(context: String, continuation: String) {
        self.context = context
        self.continuation = continuation
    }
}

/// The answer to a `LoglikelihoodRequest`.
public struct LoglikelihoodResponse: Codable, Hashable, Sendable {
    /// Sum of the natural-log probabilities of the continuation's tokens.
    public var logLikelihood: Double
    /// Whether every continuation token is the model's most likely next token.
    public var isGreedy: Bool
    /// Number of continuation tokens scored.
    public var tokenCount: Int
    public init(logLikelihood: Double, isGreedy: Bool, tokenCount: Int) {
        self.logLikelihood = logLikelihood
        self.isGreedy = isGreedy
        self.tokenCount = tokenCount
    }
}

/// The log-likelihood of a whole text, scored in windows no longer than the model's context
/// (lm-evaluation-harness's `loglikelihood_rolling`).
public struct RollingLoglikelihoodRequest: Codable, Hashable, Sendable {
    public var text: String
    public init(text: String) { self.text = text }
}

/// The answer to a `RollingLoglikelihoodRequest`.
public struct RollingLoglikelihoodResponse: Codable, Hashable, Sendable {
    /// Sum of natural-log probabilities of every token of the text (BOS excluded).
    public var logLikelihood: Double
    /// Number of tokens scored.
    public var tokenCount: Int
    public init(logLikelihood: Double, tokenCount: Int) {
        self.logLikelihood = logLikelihood
        self.tokenCount = tokenCount
    }
}

/// The log-probability of every token of `tokens` given the tokens before it (teacher forcing), as
/// a training set is scored for Selective Token Masking. Token ids, not text: the caller's
/// tokenizer decides them, and a server must use the same one.
public struct TokenLogprobsRequest: Codable, Hashable, Sendable {
    public var tokens: [Int]
    public init(tokens: [Int]) { self.tokens = tokens }
}

/// The answer to a `TokenLogprobsRequest`: one natural-log probability for each token after the
/// first (`tokens.count - 1` values; none for a sequence of one token).
public struct TokenLogprobsResponse: Codable, Hashable, Sendable {
    public var logProbs: [Double]
    public init(logProbs: [Double]) { self.logProbs = logProbs }
}

/// Text generation from `context` until a stop sequence, an end-of-sequence token or `maxTokens`.
public struct GenerationRequest: Codable, Hashable, Sendable {
    public var context: String
    /// Generation stops before the first occurrence of any of these; the text returned excludes it.
    public var stopSequences: [String]
    /// Most new tokens to generate.
    public var maxTokens: Int
    /// 0 is greedy decoding.
    public var temperature: Double
    /// Nucleus sampling threshold in (0, 1]; 1 or more disables it.
    public var topP: Double
    /// Seed of the sampler; with the same seed and settings the same text comes back.
    public var seed: UInt64

    public init(context: String, stopSequences: [String] = [], maxTokens: Int, temperature: Double = 0, topP: Double = 1, seed: UInt64 = 42) {
        self.context = context
        self.stopSequences = stopSequences
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
    }
}

/// Why a generation ended.
public enum FinishReason: String, Codable, Hashable, Sendable {
    /// A stop sequence or an end-of-sequence token.
    case stop
    /// The token budget or the model's context ran out.
    case length
}

/// The answer to a `GenerationRequest`.
public struct GenerationResponse: Codable, Hashable, Sendable {
    /// The continuation only (not the context), cut before any stop sequence.
    public var text: String
    /// New tokens generated.
    public var tokenCount: Int
    public var finishReason: FinishReason
    public init(text: String, tokenCount: Int, finishReason: FinishReason) {
        self.text = text
        self.tokenCount = tokenCount
        self.finishReason = finishReason
    }
}
