import Harness

/// `POST /tokenize` and `POST /detokenize` (vLLM's routes), so that a client can build token-id
/// prompts (for example the windows of a rolling log-likelihood) with the served tokenizer.
///
/// - `/tokenize` `{"model" (optional), "prompt": string, "add_special_tokens": bool (default true)}` ->
///   `{"tokens": [ids], "count", "max_model_len"}`.
/// - `/detokenize` `{"model", "tokens": [ids]}` -> `{"prompt": text}` (special tokens left out).
public enum Tokenization {
    /// The `/tokenize` answer for `body`.
    /// - Throws: ``OpenAIError`` (400) for a missing or wrong-typed field or an unknown model.
    public static func tokenize(body: JSONValue, model: ServedModel) throws -> JSONValue {
        let fields = try RequestFields(body)
        if fields.value("model") != nil { try CompletionRequest.checkModel(fields, model) }  // optional, as in vLLM
        let prompt = try fields.requiredString("prompt")
        let special = try fields.bool("add_special_tokens") ?? true
        let tokens = model.engine.encode(prompt, addSpecialTokens: special)
        return .object([("tokens", .array(tokens.map(JSONValue.int))), ("count", .int(tokens.count)),
                        ("max_model_len", .int(model.maxContextLength))])
    }

    /// `GET /tokenizer_info` (vLLM's): what a client tokenizing through the server needs to know
    /// (lm-evaluation-harness's `tokenizer_backend=remote` asks for it first). The served
    /// tokenizer's special tokens are not exposed as text, so they are null; BOS is added by
    /// `/tokenize` with `add_special_tokens` (the default).
    public static func info(model: ServedModel) -> JSONValue {
        .object([("tokenizer_class", .string("forgetbench")), ("model_max_length", .int(model.maxContextLength)),
                 ("bos_token", .null), ("eos_token", .null), ("pad_token", .null), ("chat_template", .null)])
    }

    /// The `/detokenize` answer for `body`.
    /// - Throws: ``OpenAIError`` (400) for a missing field, a non-integer or out-of-vocabulary id.
    public static func detokenize(body: JSONValue, model: ServedModel) throws -> JSONValue {
        let fields = try RequestFields(body)
        if fields.value("model") != nil { try CompletionRequest.checkModel(fields, model) }
        let value = try fields.required("tokens")
        guard case .array(let items) = value, !items.isEmpty else {
            throw OpenAIError.invalid("'tokens' must be a non-empty list of token ids", param: "tokens")
        }
        let ids = try CompletionRequest.tokenPrompts(.array(items), vocabularySize: model.engine.config.vocabSize)?.first ?? []
        return .object([("prompt", .string(model.engine.tokenizer.decode(ids, skipSpecialTokens: true)))])
    }
}
