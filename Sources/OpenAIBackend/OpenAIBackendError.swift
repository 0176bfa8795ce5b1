/// What went wrong talking to an OpenAI-compatible server. Descriptions are one line and never
/// contain the API key.
public enum OpenAIBackendError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The settings cannot work (bad URL, empty model name).
    case invalidSettings(String)
    /// The server answered with a status that is not retried (4xx other than 408/409/429).
    case httpStatus(url: String, status: Int, body: String)
    /// Every attempt failed: the URL, the number of attempts and the last status or error.
    case retriesExhausted(url: String, attempts: Int, lastError: String)
    /// The server does not return log-probabilities of prompt tokens (echo + logprobs).
    case noPromptLogprobs(url: String, detail: String)
    /// The server does not return log-probabilities for token-id prompts (what masking needs).
    case noTokenLogprobs(url: String, detail: String)
    /// The server's answer could not be used (malformed JSON, missing fields, misaligned tokens).
    case invalidResponse(url: String, detail: String)
    /// The request cannot be scored (e.g. a continuation that adds no token).
    case invalidRequest(String)

    /// The explanation given when a server cannot score prompts.
    public static let noPromptLogprobsExplanation = "this server does not return prompt logprobs; log-likelihood tasks (multiple_choice, loglikelihood, loglikelihood_rolling) need echo+logprobs on /v1/completions (vLLM, SGLang, llama.cpp's server with echo, forgetbench serve); only generate_until tasks can run"

    public var description: String {
        switch self {
        case .invalidSettings(let s): return "OpenAI backend: \(s)"
        case .httpStatus(let url, let status, let body):
            return "POST \(url) answered HTTP \(status)" + (body.isEmpty ? "" : ": \(body)")
        case .retriesExhausted(let url, let attempts, let last):
            return "POST \(url) failed after \(attempts) attempt\(attempts == 1 ? "" : "s"); last error: \(last)"
        case .noPromptLogprobs(let url, let detail):
            return "\(url): \(Self.noPromptLogprobsExplanation) (\(detail))"
        case .noTokenLogprobs(let url, let detail):
            return "\(url): this server does not score token-id prompts (a /v1/completions request with a list of token ids, echo: true and logprobs, as vLLM, SGLang and forgetbench serve answer); scoring a training set for masking needs it, or score in-process with a local checkpoint (\(detail))"
        case .invalidResponse(let url, let detail): return "\(url): unusable response: \(detail)"
        case .invalidRequest(let s): return s
        }
    }
}
