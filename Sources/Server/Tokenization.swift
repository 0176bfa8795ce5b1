/// `POST /tokenize` and `POST /detokenize` (vLLM's routes), so that a client can build token-id
/// prompts (for example the windows of a rolling log-likelihood) with the served tokenizer.
///
/// - `/tokenize` `{"model", "prompt": string, "add_special_tokens": bool (default true)}` ->
///   `{"tokens": [ids], "count", "max_model_len"}`.
/// - `/detokenize` `{"model", "tokens": [ids]}` -> `{"prompt": text}` (special tokens left out).
public enum Tokenization {
    /// The `/tokenize` answer for `body`.
    /// - Throws: ``OpenAIError`` (400) for a missing or wrong-typed field or an unknown model.
    public static func tokenize(body: JSONValue, model: ServedModel) throws -> JSONValue {
        let fields = try RequestFields(body)
        try CompletionRequest.checkModel(fields, model)
        let prompt = try fields.requiredString("prompt")
        let special = try fields.bool("add_special_tokens") ?? true
        let tokens = model.engine.encode(prompt, addSpecialTokens: special)
        return .object([("tokens", .array(tokens.map(JSONValue.int))), ("count", .int(tokens.count)),
                        ("max_model_len", .int(model.maxContextLength))])
    }

    /// The `/detokenize` answer for `body`.
    /// - Throws: ``OpenAIError`` (400) for a missing field, a non-integer or out-of-vocabulary id.
    public static func detokenize(body: JSONValue, model: ServedModel) throws -> JSONValue {
        let fields = try RequestFields(body)
        try CompletionRequest.checkModel(fields, model)
        guard let value = fields.value("tokens") else { throw OpenAIError.invalid("'tokens' is required", param: "tokens") }
        guard case .array(let items) = value, !items.isEmpty else {
            throw OpenAIError.invalid("'tokens' must be a non-empty list of token ids", param: "tokens")
        }
        let ids = try CompletionRequest.tokenPrompts(.array(items), vocabularySize: model.engine.config.vocabSize)?.first ?? []
        return .object([("prompt", .string(model.engine.tokenizer.decode(ids, skipSpecialTokens: true)))])
    }
}
