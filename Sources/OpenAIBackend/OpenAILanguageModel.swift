import Foundation
import Harness

/// A `LanguageModel` served by an OpenAI-compatible HTTP server (vLLM, SGLang, TGI, llama.cpp's
/// server, `forgetbench serve`).
///
/// - Log-likelihood: `POST /completions` with `prompt` = context + continuation, `echo: true`,
///   `logprobs: 1` and `max_tokens: 0` (`1` when the server rejects 0; the generated token is
///   ignored). Continuation tokens are aligned by `text_offset` (see `LogprobAlignment`); vLLM's
///   `prompt_logprobs` + `prompt_token_ids` are used when the legacy arrays are absent.
/// - Rolling log-likelihood: the whole text echoed in one request; the sum of every token's
///   log-prob. Texts longer than the server's context are not windowed: the server rejects them
///   (or truncates them, as it is configured).
/// - Generation: `POST /completions` (or `/chat/completions`, see `GenerationAPI`) with `stop`,
///   `temperature`, `top_p`, `seed` and `max_tokens`, one prompt per request.
///
/// Up to `settings.concurrency` requests are in flight at once; log-likelihood requests carry
/// `settings.batchSize` prompts each. Answers are placed by index, so results do not depend on
/// concurrency or batching. A server that cannot return prompt log-probs is reported at the first
/// log-likelihood request with `OpenAIBackendError.noPromptLogprobs`.
///
/// Call `shutdown()` when done (the HTTP client is also released when the model is).
public final class OpenAILanguageModel: LanguageModel {
    /// Where and how requests are sent.
    public let settings: OpenAIClientSettings
    /// `ModelFingerprint.remote(baseURL:model:revision:)` of the settings: names the endpoint and,
    /// with a revision, the weights (see `fingerprintIsStable`).
    public let fingerprint: ModelFingerprint
    /// What the model accepts; unknown for a remote model, so a large bound (the server enforces its own).
    public let maxContextLength: Int
    let http: OpenAIHTTPClient
    let echoMode = EchoMode()

    /// Whether the fingerprint identifies the same weights in another run: true only with a revision.
    public var fingerprintIsStable: Bool { settings.revision != nil }

    /// A note for results and reports about cross-run reuse; nil when the fingerprint is stable.
    public var fingerprintNote: String? {
        fingerprintIsStable ? nil : "cross-run cache reuse: off (no --model-revision)"
    }

    /// - Parameters:
    ///   - settings: server, model id, key, concurrency, batching, timeouts, retries.
    ///   - maxContextLength: the server's context length when known (informational).
    /// - Throws: `OpenAIBackendError.invalidSettings` for a bad URL or an empty model name.
    public init(settings: OpenAIClientSettings, maxContextLength: Int = 1 << 20) throws {
        try settings.validate()
        self.settings = settings
        self.maxContextLength = maxContextLength
        self.fingerprint = .remote(baseURL: settings.baseURL, model: settings.modelName, revision: settings.revision)
        self.http = OpenAIHTTPClient(settings: settings)
    }

    /// Closes the HTTP connections. The model must not be used afterwards.
    public func shutdown() async { await http.shutdown() }

    // MARK: Capability check

    /// Sends one small log-likelihood request and throws `OpenAIBackendError.noPromptLogprobs`
    /// when the server cannot score prompts (and any transport error after retries).
    public func checkPromptLogprobs() async throws {
        _ = try await loglikelihood([LoglikelihoodRequest(context: "The sky is", continuation: " blue")])
    }

    // MARK: LanguageModel

    /// Scores each continuation after its context (see the type's overview for the request sent).
    /// - Throws: `OpenAIBackendError` (`noPromptLogprobs`, `retriesExhausted`, `httpStatus`,
    ///   `invalidResponse`, or `invalidRequest` for an empty context).
    public func loglikelihood(_ requests: [LoglikelihoodRequest]) async throws -> [LoglikelihoodResponse] {
        for r in requests where r.context.isEmpty {
            throw OpenAIBackendError.invalidRequest("a log-likelihood request has an empty context (continuation '\(r.continuation.prefix(40))')")
        }
        let prompts = requests.map { $0.context + $0.continuation }
        let tokens = try await echoedPromptTokens(prompts)
        let url = http.url("/completions")
        return try zip(requests, tokens).map { request, tokens in
            do {
                return try LogprobAlignment.continuationScore(tokens, boundary: LogprobAlignment.boundary(context: request.context))
            } catch {
                throw Self.backendError(error, url: url)
            }
        }
    }

    /// The log-likelihood of each whole text in one echo request (no windowing; an empty text scores 0 over 0 tokens).
    /// - Throws: `OpenAIBackendError`.
    public func loglikelihoodRolling(_ requests: [RollingLoglikelihoodRequest]) async throws -> [RollingLoglikelihoodResponse] {
        let nonEmpty = requests.enumerated().filter { !$0.element.text.isEmpty }
        let tokens = try await echoedPromptTokens(nonEmpty.map(\.element.text))
        var responses = [RollingLoglikelihoodResponse](repeating: RollingLoglikelihoodResponse(logLikelihood: 0, tokenCount: 0), count: requests.count)
        for (entry, tokens) in zip(nonEmpty, tokens) { responses[entry.offset] = LogprobAlignment.rollingScore(tokens) }
        return responses
    }

    /// Token log-probs of token-id sequences: `POST /completions` with `prompt` = the ids (a list
    /// of lists, `batchSize` sequences per request), `echo: true`, `logprobs: 1` and `max_tokens`
    /// 0 (or 1, dropped, for servers that refuse 0). The server must tokenize as the caller did:
    /// it uses the ids as given, and an answer with another number of log-probs is refused.
    /// - Throws: `OpenAIBackendError.noTokenLogprobs` when the server cannot score token prompts.
    public func tokenLogprobs(_ requests: [TokenLogprobsRequest]) async throws -> [TokenLogprobsResponse] {
        let size = settings.batchSize
        let batches = stride(from: 0, to: requests.count, by: size).map { Array(requests[$0 ..< min($0 + size, requests.count)]) }
        guard let first = batches.first else { return [] }
        var results: [[TokenLogprobsResponse]] = []
        var rest = batches[...]
        if await echoMode.maxTokens == nil {
            results.append(try await tokenBatch(first))
            rest = batches.dropFirst()
        }
        results += try await concurrentMap(Array(rest), limit: settings.concurrency) { [self] batch in try await tokenBatch(batch) }
        return results.flatMap { $0 }
    }

    private func tokenBatch(_ requests: [TokenLogprobsRequest]) async throws -> [TokenLogprobsResponse] {
        let url = http.url("/completions")
        let known = await echoMode.maxTokens
        var maxTokens = known ?? 0
        var promptLogprobs = await echoMode.promptLogprobs
        var response: CompletionResponse
        while true {
            var body = CompletionRequest(model: settings.modelName, prompt: .tokens(requests.map(\.tokens)), maxTokens: maxTokens,
                                         temperature: 0, echo: true, logprobs: 1)
            if promptLogprobs { body.promptLogprobs = 1 }
            do {
                response = try await http.post("/completions", body, as: CompletionResponse.self)
            } catch OpenAIBackendError.httpStatus(_, let status, let text) where (400 ..< 500).contains(status) && known == nil {
                if maxTokens == 0 {
                    maxTokens = 1
                    continue
                }
                throw OpenAIBackendError.noTokenLogprobs(url: url, detail: "HTTP \(status): \(text)")
            }
            // No echoed log-probs: ask once more with vLLM's prompt_logprobs.
            if !promptLogprobs, response.choices.contains(where: { $0.logprobs?.tokenLogprobs == nil }) {
                promptLogprobs = true
                continue
            }
            break
        }
        if known == nil { await echoMode.set(maxTokens) }
        if promptLogprobs { await echoMode.usePromptLogprobs() }
        let choices = try Self.ordered(response.choices, count: requests.count, url: url)
        return try zip(requests, choices).map { request, choice in
            guard let values = choice.logprobs?.tokenLogprobs else {
                return try Self.promptLogprobs(of: choice, tokens: request.tokens, url: url)
            }
            let echoed = Array(values.dropLast(min(maxTokens, values.count)))
            guard echoed.count == request.tokens.count else {
                throw OpenAIBackendError.invalidResponse(url: url, detail: "\(echoed.count) echoed log-probs for a prompt of \(request.tokens.count) tokens; the server must use the ids as given")
            }
            return TokenLogprobsResponse(logProbs: try echoed.dropFirst().map { value in
                guard let value else { throw OpenAIBackendError.invalidResponse(url: url, detail: "a null log-prob after the first prompt token") }
                return value
            })
        }
    }

    /// A choice's vLLM `prompt_logprobs` (one entry per prompt token, keyed by token id; the first
    /// null) as the log-probs of `tokens` after the first.
    /// - Throws: `OpenAIBackendError.noTokenLogprobs` when the choice has neither `logprobs.token_logprobs`
    ///   nor `prompt_logprobs`; `invalidResponse` when they do not cover the tokens sent.
    static func promptLogprobs(of choice: CompletionChoice, tokens: [Int], url: String) throws -> TokenLogprobsResponse {
        guard let entries = choice.promptLogprobs else {
            throw OpenAIBackendError.noTokenLogprobs(url: url, detail: "the answer has no logprobs.token_logprobs, nor prompt_logprobs when asked for them")
        }
        if let ids = choice.promptTokenIds, ids != tokens {
            throw OpenAIBackendError.invalidResponse(url: url, detail: "prompt_token_ids differ from the ids sent; the server must use the ids as given")
        }
        guard entries.count == tokens.count else {
            throw OpenAIBackendError.invalidResponse(url: url, detail: "\(entries.count) prompt_logprobs for a prompt of \(tokens.count) tokens; the server must use the ids as given")
        }
        return TokenLogprobsResponse(logProbs: try (1 ..< max(1, tokens.count)).map { i in
            guard let own = entries[i]?[String(tokens[i])] else {
                throw OpenAIBackendError.invalidResponse(url: url, detail: "prompt_logprobs[\(i)] has no entry for the prompt's token \(tokens[i])")
            }
            return own.logprob
        })
    }

    /// Generates one completion per request, one prompt per HTTP request. `tokenCount` is the
    /// server's `usage.completion_tokens` (0 when it reports none).
    /// - Throws: `OpenAIBackendError`.
    public func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
        try await concurrentMap(requests, limit: settings.concurrency) { [self] request in
            try await generateOne(request)
        }
    }

    // MARK: Echo

    /// The echoed prompt tokens of each prompt, in order: batches of `batchSize` prompts, up to
    /// `concurrency` batches in flight. The first batch runs alone when the server's handling of
    /// `max_tokens: 0` is not yet known, so that a missing capability is found once.
    func echoedPromptTokens(_ prompts: [String]) async throws -> [[EchoedToken]] {
        let size = settings.batchSize
        let batches = stride(from: 0, to: prompts.count, by: size).map { Array(prompts[$0 ..< min($0 + size, prompts.count)]) }
        guard let first = batches.first else { return [] }
        var results: [[[EchoedToken]]] = []
        var rest = batches[...]
        if await echoMode.maxTokens == nil {
            results.append(try await echoBatch(first))
            rest = batches.dropFirst()
        }
        results += try await concurrentMap(Array(rest), limit: settings.concurrency) { [self] batch in
            try await echoBatch(batch)
        }
        return results.flatMap { $0 }
    }

    /// One completions request echoing `prompts`; the tokens of each, by the choices' `index`.
    func echoBatch(_ prompts: [String]) async throws -> [[EchoedToken]] {
        let url = http.url("/completions")
        let known = await echoMode.maxTokens
        var maxTokens = known ?? 0
        var response: CompletionResponse
        while true {
            let body = CompletionRequest(model: settings.modelName, prompt: prompts.count == 1 ? .single(prompts[0]) : .list(prompts),
                                         maxTokens: maxTokens, temperature: 0, echo: true, logprobs: 1)
            do {
                response = try await http.post("/completions", body, as: CompletionResponse.self)
                break
            } catch OpenAIBackendError.httpStatus(_, let status, let text) where (400 ..< 500).contains(status) && known == nil {
                if maxTokens == 0 {
                    maxTokens = 1  // the server rejects max_tokens 0: ask for one token and ignore it
                    continue
                }
                throw OpenAIBackendError.noPromptLogprobs(url: url, detail: "HTTP \(status) to an echo+logprobs request: \(text)")
            }
        }
        if known == nil { await echoMode.set(maxTokens) }
        let choices = try Self.ordered(response.choices, count: prompts.count, url: url)
        return try zip(prompts, choices).map { prompt, choice in
            do {
                return try LogprobAlignment.promptTokens(of: choice, prompt: prompt, droppingLast: maxTokens)
            } catch {
                throw Self.backendError(error, url: url)
            }
        }
    }

    // MARK: Generation

    func generateOne(_ request: GenerationRequest) async throws -> GenerationResponse {
        let seed = Int64(bitPattern: request.seed & UInt64(Int64.max))
        let topP = request.topP >= 1 ? nil : request.topP
        let stop = request.stopSequences.isEmpty ? nil : request.stopSequences
        let maxTokens = max(1, request.maxTokens)
        let text: String, finish: String?, usage: CompletionUsage?
        switch settings.generationAPI {
        case .completions:
            var body = CompletionRequest(model: settings.modelName, prompt: .single(request.context), maxTokens: maxTokens,
                                         temperature: request.temperature, topP: topP, seed: seed, stop: stop)
            if settings.truncatePrompts { body.truncatePromptTokens = -1 }
            let response = try await http.post("/completions", body, as: CompletionResponse.self)
            let choice = try Self.ordered(response.choices, count: 1, url: http.url("/completions"))[0]
            (text, finish, usage) = (choice.text ?? "", choice.finishReason, response.usage)
        case .chat:
            let body = ChatCompletionRequest(model: settings.modelName, messages: [ChatMessage(role: "user", content: request.context)],
                                             maxTokens: maxTokens, temperature: request.temperature, topP: topP, seed: seed, stop: stop)
            let response = try await http.post("/chat/completions", body, as: ChatCompletionResponse.self)
            guard let choice = response.choices.first else {
                throw OpenAIBackendError.invalidResponse(url: http.url("/chat/completions"), detail: "no choices")
            }
            (text, finish, usage) = (choice.message.content ?? "", choice.finishReason, response.usage)
        }
        // Servers cut at stop sequences already; cutting again guards against those that keep them.
        var cut = text
        var stopped = false
        for s in request.stopSequences where !s.isEmpty {
            if let range = cut.range(of: s) {
                cut = String(cut[..<range.lowerBound])
                stopped = true
            }
        }
        let reason: FinishReason = stopped || finish != "length" ? .stop : .length
        return GenerationResponse(text: cut, tokenCount: usage?.completionTokens ?? 0, finishReason: reason)
    }

    // MARK: Helpers

    /// `choices` placed by their `index` (or in order when the server gives none); one per prompt.
    static func ordered<C: IndexedChoice>(_ choices: [C], count: Int, url: String) throws -> [C] {
        guard choices.count == count else {
            throw OpenAIBackendError.invalidResponse(url: url, detail: "\(choices.count) choices for \(count) prompt\(count == 1 ? "" : "s")")
        }
        var placed = [C?](repeating: nil, count: count)
        for (position, choice) in choices.enumerated() {
            let index = choice.index ?? position
            guard (0 ..< count).contains(index), placed[index] == nil else {
                throw OpenAIBackendError.invalidResponse(url: url, detail: "choice index \(index) is out of range or repeated")
            }
            placed[index] = choice
        }
        return placed.map { $0! }
    }

    static func backendError(_ error: any Error, url: String) -> any Error {
        switch error as? LogprobAlignment.Problem {
        case .noPromptLogprobs(let detail)?: return OpenAIBackendError.noPromptLogprobs(url: url, detail: detail)
        case .invalid(let detail)?: return OpenAIBackendError.invalidResponse(url: url, detail: detail)
        case nil: return error
        }
    }
}

/// A response choice that says which prompt it answers.
protocol IndexedChoice { var index: Int? { get } }
extension CompletionChoice: IndexedChoice {}
extension ChatChoice: IndexedChoice {}

/// What `max_tokens` echo requests use: 0, or 1 for servers that reject 0 (nil until the first answer).
actor EchoMode {
    private(set) var maxTokens: Int?
    /// Whether token prompts' log-probs come in vLLM's `prompt_logprobs` (asked for them) rather than echoed.
    private(set) var promptLogprobs = false
    func set(_ value: Int) { if maxTokens == nil { maxTokens = value } }
    func usePromptLogprobs() { promptLogprobs = true }
}
