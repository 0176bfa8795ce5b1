/// Limits the server enforces on each request.
public struct RequestLimits: Sendable {
    /// Largest request body accepted, in bytes; larger bodies get `413`.
    public var maxRequestBytes: Int
    /// Largest `max_tokens` accepted (nil: only the model's context limits it).
    public var maxTokensLimit: Int?
    /// Largest `logprobs` (completions) / `top_logprobs` (chat) accepted.
    public var maxLogprobs: Int
    /// Most prompts in one completions request.
    public var maxPrompts: Int

    /// Limits with the server's defaults: 8 MiB bodies, `max_tokens` bounded by the context only,
    /// 20 top log-probs (vLLM's default), 1024 prompts per request.
    public init(maxRequestBytes: Int = 8 << 20, maxTokensLimit: Int? = nil, maxLogprobs: Int = 20, maxPrompts: Int = 1024) {
        self.maxRequestBytes = maxRequestBytes
        self.maxTokensLimit = maxTokensLimit
        self.maxLogprobs = maxLogprobs
        self.maxPrompts = maxPrompts
    }
}
