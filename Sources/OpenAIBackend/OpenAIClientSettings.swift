import Foundation

/// How to reach and use an OpenAI-compatible server.
public struct OpenAIClientSettings: Sendable {
    /// The API root, e.g. `http://127.0.0.1:8000/v1` (`/completions` and `/chat/completions` are appended).
    public var baseURL: String
    /// The `model` field of every request (the server's model id).
    public var modelName: String
    /// Sent as `Authorization: Bearer`; never printed or recorded.
    public var apiKey: APIKey?
    /// A revision that pins the served weights (a commit, a tag, a checkpoint hash). Without one the
    /// model's fingerprint is not stable across runs (see `OpenAILanguageModel.fingerprintIsStable`).
    public var revision: String?
    /// HTTP requests in flight at once (>= 1).
    public var concurrency: Int
    /// Prompts per `/v1/completions` request for log-likelihood requests (>= 1). Generation always
    /// sends one prompt per request.
    public var batchSize: Int
    /// Seconds one HTTP attempt may take before it is abandoned (and retried).
    public var requestTimeout: Double
    /// Retries and backoff.
    public var retry: RetryPolicy
    /// Endpoint of generation requests.
    public var generationAPI: GenerationAPI
    /// Ask the server to cut generation prompts that do not fit from the left (vLLM's
    /// `truncate_prompt_tokens: -1`), as the built-in engine does; off by default, since older
    /// servers refuse the field.
    public var truncatePrompts = false

    /// - Parameters:
    ///   - baseURL: the API root, e.g. `http://127.0.0.1:8000/v1`; a trailing `/` is removed.
    ///   - modelName: the server's model id.
    ///   - apiKey: bearer token, if the server needs one.
    ///   - revision: pins the served weights; makes the fingerprint stable.
    ///   - concurrency: requests in flight (clamped to >= 1).
    ///   - batchSize: prompts per log-likelihood request (clamped to >= 1).
    ///   - requestTimeout: seconds per HTTP attempt (> 0).
    ///   - retry: retry policy.
    ///   - generationAPI: completions (default) or chat.
    public init(baseURL: String, modelName: String, apiKey: APIKey? = nil, revision: String? = nil, concurrency: Int = 8,
                batchSize: Int = 1, requestTimeout: Double = 60, retry: RetryPolicy = RetryPolicy(), generationAPI: GenerationAPI = .completions) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.modelName = modelName
        self.apiKey = apiKey
        self.revision = revision
        self.concurrency = max(1, concurrency)
        self.batchSize = max(1, batchSize)
        self.requestTimeout = requestTimeout > 0 ? requestTimeout : 60
        self.retry = retry
        self.generationAPI = generationAPI
    }

    /// Checks the URL and the model name; throws `OpenAIBackendError.invalidSettings`.
    public func validate() throws {
        guard let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw OpenAIBackendError.invalidSettings("'\(baseURL)' is not an http(s) URL (expected e.g. http://127.0.0.1:8000/v1)")
        }
        if modelName.isEmpty { throw OpenAIBackendError.invalidSettings("the model name is empty (--model-name)") }
    }
}
