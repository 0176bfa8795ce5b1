/// Which OpenAI endpoint serves generation requests.
public enum GenerationAPI: String, Sendable, Hashable, CaseIterable {
    /// `POST /v1/completions` with the raw prompt (the default; what lm-evaluation-harness's `local-completions` does).
    case completions
    /// `POST /v1/chat/completions` with the prompt as one user message (the server applies its chat template).
    case chat
}
