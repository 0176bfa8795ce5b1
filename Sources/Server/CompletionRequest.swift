import Harness
import NativeModel

/// A validated `POST /v1/completions` request (OpenAI's legacy completions API).
///
/// Fields: `model` (required, the served id), `prompt` (a string, a non-empty list of strings, or
/// token ids: a list of ids or a list of such lists, used as given, BOS included only if sent;
/// one choice per prompt, `index` = the prompt's position; a token prompt's text is its decoding), `max_tokens` (default 16; 0 with
/// `echo` scores the prompt only), `echo`, `logprobs` (0 ... ``RequestLimits/maxLogprobs``),
/// `temperature` (default 1; 0 is greedy), `top_p`, `seed`, `stop`, `truncate_prompt_tokens` (vLLM's: keep
/// the last K prompt tokens; -1: as many as fit with `max_tokens`), `n` (1 only), `stream`
/// (``CompletionStream``; not with `logprobs`). `best_of` > 1 and non-zero penalties are refused. Other fields (`user`, `logit_bias`, ...) are
/// ignored.
public struct CompletionRequest: Sendable {
    /// The prompts, as the client sent them.
    public var prompts: [String]
    /// Each prompt's tokens (BOS first where the tokenizer adds one).
    public var promptTokens: [[Int]]
    /// Whether the returned text (and the log-probs) start with the prompt.
    public var echo: Bool
    /// Number of top alternatives per token, or nil for no log-probs.
    public var logprobs: Int?
    /// Generation settings.
    public var sampling: SamplingParameters

    /// Parses and validates a request body for `model`.
    /// - Throws: ``OpenAIError`` (400) naming the field: wrong types, unknown model, negative
    ///   `max_tokens`, `logprobs` out of range, a prompt whose tokens plus `max_tokens` exceed the
    ///   model's context, or the context + 1 with `max_tokens` 0 (code `context_length_exceeded`).
    public init(body: JSONValue, model: ServedModel, limits: RequestLimits) throws {
        let fields = try RequestFields(body)
        try Self.checkModel(fields, model)
        let promptValue = try fields.required("prompt")
        if case .array(let items) = promptValue, items.isEmpty {
            throw OpenAIError.invalid("'prompt' must not be an empty list", param: "prompt")
        }
        let engine = model.engine
        let given = try Self.tokenPrompts(promptValue, vocabularySize: engine.config.vocabSize)
        if let given {
            promptTokens = given
            prompts = given.map { engine.tokenizer.decode($0, skipSpecialTokens: true) }
        } else {
            prompts = try fields.strings("prompt") ?? []
            promptTokens = prompts.map { engine.encode($0) }
        }
        guard prompts.count <= limits.maxPrompts else {
            throw OpenAIError.invalid("'prompt' has \(prompts.count) prompts; the server accepts at most \(limits.maxPrompts) per request", param: "prompt")
        }
        echo = try fields.bool("echo") ?? false
        logprobs = try fields.int("logprobs", in: 0 ... limits.maxLogprobs)
        let maxTokens = try Self.maxTokens(fields, limits: limits) ?? 16
        sampling = try SamplingParameters(fields: fields, maxTokens: maxTokens)
        try Self.checkStreamable(sampling, logprobs: logprobs)
        if let keep = try Self.truncation(fields, maxTokens: maxTokens, context: model.maxContextLength) {
            for i in promptTokens.indices where promptTokens[i].count > keep {
                promptTokens[i] = Array(promptTokens[i].suffix(keep))
                prompts[i] = engine.tokenizer.decode(promptTokens[i], skipSpecialTokens: true)
            }
        }
        for (i, tokens) in promptTokens.enumerated() {
            try Self.checkContext(promptTokens: tokens.count, maxTokens: maxTokens, context: model.maxContextLength,
                                  which: prompts.count > 1 ? "prompt \(i)" : "the prompt", param: "prompt")
        }
    }

    /// Token-id prompts (`[1, 403, ...]` or a list of such lists), or nil when `value` is text.
    /// - Throws: ``OpenAIError`` for an empty token list or an id outside the vocabulary.
    static func tokenPrompts(_ value: JSONValue, vocabularySize: Int) throws -> [[Int]]? {
        guard case .array(let items) = value, let first = items.first else { return nil }
        func ids(_ list: [JSONValue], _ param: String) throws -> [Int] {
            guard !list.isEmpty else { throw OpenAIError.invalid("'\(param)' must not be an empty token list", param: "prompt") }
            return try list.enumerated().map { i, item in
                guard let id = item.intValue else {
                    throw OpenAIError.invalid("'\(param)[\(i)]' must be a token id (an integer), got \(item.typeName)", param: "prompt")
                }
                guard (0 ..< vocabularySize).contains(id) else {
                    throw OpenAIError.invalid("'\(param)[\(i)]' is \(id), outside the vocabulary (0..<\(vocabularySize))", param: "prompt")
                }
                return id
            }
        }
        switch first {
        case .number where first.intValue != nil: return [try ids(items, "prompt")]
        case .array: return try items.enumerated().map { i, item in
            guard case .array(let list) = item else {
                throw OpenAIError.invalid("'prompt[\(i)]' must be a list of token ids, got \(item.typeName)", param: "prompt")
            }
            return try ids(list, "prompt[\(i)]")
        }
        default: return nil
        }
    }

    /// vLLM's `truncate_prompt_tokens`: keep only the last K prompt tokens; -1 keeps as many as
    /// fit before `max_tokens` new ones (the context minus `max_tokens`), which is what the
    /// in-process engine does with a prompt that is too long for generation.
    static func truncation(_ fields: RequestFields, maxTokens: Int, context: Int) throws -> Int? {
        guard let value = try fields.int("truncate_prompt_tokens") else { return nil }
        guard value == -1 || value >= 1 else {
            throw OpenAIError.invalid("'truncate_prompt_tokens' must be -1 (fit the context) or at least 1, got \(value)", param: "truncate_prompt_tokens")
        }
        let keep = value == -1 ? context - maxTokens : value
        return keep > 0 ? keep : nil
    }

    /// Log-probs are not streamed: a request may ask for one or the other.
    static func checkStreamable(_ sampling: SamplingParameters, logprobs: Int?) throws {
        if sampling.stream, logprobs != nil {
            throw OpenAIError.invalid("'logprobs' cannot be streamed; send 'stream': false to get log-probs", param: "logprobs")
        }
    }

    /// Checks `model` names the served model.
    static func checkModel(_ fields: RequestFields, _ model: ServedModel) throws {
        let name = try fields.requiredString("model")
        guard name == model.id else {
            throw OpenAIError.invalid("the model '\(name)' does not exist; this server serves '\(model.id)'", param: "model", code: "model_not_found")
        }
    }

    /// `max_tokens` (or nil when absent): 0 or more, at most `limits.maxTokensLimit`.
    static func maxTokens(_ fields: RequestFields, name: String = "max_tokens", limits: RequestLimits) throws -> Int? {
        guard let value = try fields.int(name) else { return nil }
        guard value >= 0 else { throw OpenAIError.invalid("'\(name)' must be 0 or more, got \(value)", param: name) }
        if let limit = limits.maxTokensLimit, value > limit {
            throw OpenAIError.invalid("'\(name)' is \(value); this server allows at most \(limit) (--max-tokens-limit)", param: name)
        }
        return value
    }

    /// Prompt tokens plus `max_tokens` must fit the model's context. Scoring only (`max_tokens`
    /// 0) accepts one token more, as the engine's `scores` does: the last token is only predicted,
    /// never fed to the model (so a rolling window of context + 1 tokens can be scored).
    static func checkContext(promptTokens: Int, maxTokens: Int, context: Int, which: String, param: String) throws {
        let limit = maxTokens == 0 ? context + 1 : context
        guard promptTokens + maxTokens <= limit else {
            let scoring = maxTokens == 0 ? " (scoring with max_tokens 0 accepts \(context + 1) prompt tokens)" : ""
            throw OpenAIError.invalid(
                "this model's maximum context length is \(context) tokens; \(which) has \(promptTokens) tokens and max_tokens is \(maxTokens) (\(promptTokens + maxTokens) in all)\(scoring); shorten the prompt or lower max_tokens",
                param: param, code: "context_length_exceeded")
        }
    }
}
