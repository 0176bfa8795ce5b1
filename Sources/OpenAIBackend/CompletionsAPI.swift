// The JSON bodies of the OpenAI `/v1/completions` and `/v1/chat/completions` endpoints: only the
// fields ForgetBench sends or reads. Public so that tests and fake servers can use the same shapes.

/// A prompt: one string, a list of strings (several prompts in one request), or token ids (one
/// list per prompt: the server uses them as given, so the caller's tokenizer decides).
public enum CompletionPrompt: Codable, Sendable, Hashable {
    case single(String)
    case list([String])
    case tokens([[Int]])

    /// The text prompts, in order (none for token prompts).
    public var prompts: [String] {
        switch self {
        case .single(let s): return [s]
        case .list(let l): return l
        case .tokens: return []
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            self = .single(s)
        } else if let l = try? c.decode([String].self) {
            self = .list(l)
        } else if let ids = try? c.decode([Int].self) {
            self = .tokens([ids])
        } else {
            self = .tokens(try c.decode([[Int]].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .single(let s): try c.encode(s)
        case .list(let l): try c.encode(l)
        case .tokens(let t): if t.count == 1 { try c.encode(t[0]) } else { try c.encode(t) }
        }
    }
}

/// The body of `POST /v1/completions`.
public struct CompletionRequest: Codable, Sendable, Hashable {
    public var model: String
    public var prompt: CompletionPrompt
    public var maxTokens: Int
    public var temperature: Double?
    public var topP: Double?
    public var seed: Int64?
    public var stop: [String]?
    /// Return the prompt (and its tokens' log-probs) before the completion.
    public var echo: Bool?
    /// Number of top alternatives per token (their presence turns token log-probs on).
    public var logprobs: Int?
    /// vLLM's left truncation of the prompt: the last K tokens, or -1 for as many as fit.
    public var truncatePromptTokens: Int?
    /// vLLM's `prompt_logprobs`: the prompt tokens' log-probs (with this many alternatives) in
    /// `choices[i].prompt_logprobs`, for servers that do not echo them in `logprobs`.
    public var promptLogprobs: Int?

    enum CodingKeys: String, CodingKey {
        case model, prompt, temperature, seed, stop, echo, logprobs
        case maxTokens = "max_tokens"
        case topP = "top_p"
        case truncatePromptTokens = "truncate_prompt_tokens"
        case promptLogprobs = "prompt_logprobs"
    }
}

/// Token usage a server reports.
public struct CompletionUsage: Codable, Sendable, Hashable {
    public var promptTokens: Int?
    public var completionTokens: Int?
    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }
    public init(promptTokens: Int?, completionTokens: Int?) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}

/// The legacy (completions) `logprobs` object: parallel arrays, one entry per token.
public struct CompletionLogprobs: Codable, Sendable, Hashable {
    /// Each token's text.
    public var tokens: [String]?
    /// Each token's natural-log probability; null for the first prompt token.
    public var tokenLogprobs: [Double?]?
    /// Each token's most likely alternatives (text -> log-prob); null for the first prompt token.
    public var topLogprobs: [[String: Double]?]?
    /// Each token's offset in the returned text, in characters (Unicode scalars, as Python counts them).
    public var textOffset: [Int]?

    enum CodingKeys: String, CodingKey {
        case tokens
        case tokenLogprobs = "token_logprobs"
        case topLogprobs = "top_logprobs"
        case textOffset = "text_offset"
    }

    public init(tokens: [String]?, tokenLogprobs: [Double?]?, topLogprobs: [[String: Double]?]?, textOffset: [Int]?) {
        self.tokens = tokens
        self.tokenLogprobs = tokenLogprobs
        self.topLogprobs = topLogprobs
        self.textOffset = textOffset
    }
}

/// One entry of vLLM's `prompt_logprobs` (keyed by token id).
public struct PromptLogprob: Codable, Sendable, Hashable {
    public var logprob: Double
    /// 1 for the most likely token.
    public var rank: Int?
    public var decodedToken: String?
    enum CodingKeys: String, CodingKey {
        case logprob, rank
        case decodedToken = "decoded_token"
    }
    public init(logprob: Double, rank: Int?, decodedToken: String?) {
        self.logprob = logprob
        self.rank = rank
        self.decodedToken = decodedToken
    }
}

/// One choice of a completions response.
public struct CompletionChoice: Codable, Sendable, Hashable {
    /// Which prompt of the request this answers.
    public var index: Int?
    public var text: String?
    public var finishReason: String?
    public var logprobs: CompletionLogprobs?
    /// vLLM's prompt log-probs (when requested with `prompt_logprobs`), one entry per prompt token.
    public var promptLogprobs: [[String: PromptLogprob]?]?
    /// vLLM's prompt token ids, which say which entry of `promptLogprobs` is the prompt's own token.
    public var promptTokenIds: [Int]?

    enum CodingKeys: String, CodingKey {
        case index, text, logprobs
        case finishReason = "finish_reason"
        case promptLogprobs = "prompt_logprobs"
        case promptTokenIds = "prompt_token_ids"
    }

    public init(index: Int?, text: String?, finishReason: String?, logprobs: CompletionLogprobs?,
                promptLogprobs: [[String: PromptLogprob]?]? = nil, promptTokenIds: [Int]? = nil) {
        self.index = index
        self.text = text
        self.finishReason = finishReason
        self.logprobs = logprobs
        self.promptLogprobs = promptLogprobs
        self.promptTokenIds = promptTokenIds
    }
}

/// The body of a response of either endpoint: its choices (``CompletionChoice`` or
/// ``ChatChoice``) and the token usage.
public struct ChoicesResponse<Choice: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    public var choices: [Choice]
    public var usage: CompletionUsage?
    public init(choices: [Choice], usage: CompletionUsage?) {
        self.choices = choices
        self.usage = usage
    }
}

/// The body of a completions response.
public typealias CompletionResponse = ChoicesResponse<CompletionChoice>

/// One chat message.
public struct ChatMessage: Codable, Sendable, Hashable {
    public var role: String
    public var content: String?
    public init(role: String, content: String?) {
        self.role = role
        self.content = content
    }
}

/// The body of `POST /v1/chat/completions`.
public struct ChatCompletionRequest: Codable, Sendable, Hashable {
    public var model: String
    public var messages: [ChatMessage]
    public var maxTokens: Int
    public var temperature: Double?
    public var topP: Double?
    public var seed: Int64?
    public var stop: [String]?

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature, seed, stop
        case maxTokens = "max_tokens"
        case topP = "top_p"
    }
}

/// One choice of a chat response.
public struct ChatChoice: Codable, Sendable, Hashable {
    public var index: Int?
    public var message: ChatMessage
    public var finishReason: String?
    enum CodingKeys: String, CodingKey {
        case index, message
        case finishReason = "finish_reason"
    }
    public init(index: Int?, message: ChatMessage, finishReason: String?) {
        self.index = index
        self.message = message
        self.finishReason = finishReason
    }
}

/// The body of a chat completions response.
public typealias ChatCompletionResponse = ChoicesResponse<ChatChoice>
