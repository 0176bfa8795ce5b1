import Foundation
import Harness
import Jinja
import NativeModel
import Tokenizers

/// A validated `POST /v1/chat/completions` request and its response (`object: "chat.completion"`).
///
/// Fields: `model` (required), `messages` (required, non-empty; each `{"role", "content"}` with
/// `content` a string or a list of `{"type": "text", "text"}` parts), `max_tokens` or
/// `max_completion_tokens` (default: the rest of the context, capped by `--max-tokens-limit`),
/// `temperature` (default 1; 0 is greedy), `top_p`, `seed`, `stop`, `n` (1 only), `stream`
/// (chunks of `object: "chat.completion.chunk"` with `delta`s; not with `logprobs`), `logprobs`
/// (boolean) and `top_logprobs` (0 ... ``RequestLimits/maxLogprobs``, needs `logprobs`). The
/// messages become one prompt by the served model's ``ChatFormatter`` (its chat template, as
/// transformers renders it, or a fallback format).
///
/// Response: `{"id": "chatcmpl-...", "object": "chat.completion", "created", "model", "choices":
/// [{"index": 0, "message": {"role": "assistant", "content"}, "logprobs", "finish_reason"}],
/// "usage"}`; `logprobs` is null or `{"content": [{"token", "logprob", "bytes", "top_logprobs":
/// [{"token", "logprob", "bytes"}]}]}` over the generated tokens.
public struct ChatCompletionRequest: Sendable {
    /// The prompt the messages make.
    public var prompt: String
    /// Its tokens.
    public var promptTokens: [Int]
    /// The format used (`template`, `plain`, `chatml` or `llama3`).
    public var format: ChatFormat
    /// Top alternatives per generated token, or nil without `logprobs`.
    public var topLogprobs: Int?
    /// Generation settings.
    public var sampling: SamplingParameters

    /// Parses and validates a request body for `model`.
    /// - Throws: ``OpenAIError`` (400) naming the field, as ``CompletionRequest``.
    public init(body: JSONValue, model: ServedModel, limits: RequestLimits) throws {
        let fields = try RequestFields(body)
        try CompletionRequest.checkModel(fields, model)
        guard case .array(let items) = try fields.required("messages"), !items.isEmpty else {
            throw OpenAIError.invalid("'messages' must be a non-empty list of {role, content} objects", param: "messages")
        }
        var messages: [Value] = []
        for (i, item) in items.enumerated() {
            let param = "messages[\(i)]"
            guard case .object = item else { throw OpenAIError.invalid("'\(param)' must be an object, got \(item.typeName)", param: param) }
            guard case .string(let role)? = item["role"] else {
                throw OpenAIError.invalid("'\(param).role' must be a string", param: "\(param).role")
            }
            let content: String
            switch item["content"] {
            case .string(let s)?: content = s
            case .null?, nil: content = ""
            case .array(let parts)?:
                content = try parts.enumerated().map { j, part in
                    guard case .string(let text)? = part["text"] else {
                        throw OpenAIError.invalid("'\(param).content[\(j)]' must be a {\"type\": \"text\", \"text\": ...} part", param: "\(param).content")
                    }
                    return text
                }.joined()
            case let other?:
                throw OpenAIError.invalid("'\(param).content' must be a string or a list of text parts, got \(other.typeName)", param: "\(param).content")
            }
            // The whole message reaches the template (tool_calls, name, reasoning_content, ...),
            // with its content parts joined into one text.
            guard case .object(var fields) = item else { continue }
            if fields["content"] != nil { fields["content"] = .string(content) }
            messages.append(JSONValue.object(fields).jinjaValue)
        }
        var tools: Value? = nil
        if let value = fields.value("tools"), value != .null {
            guard case .array = value else { throw OpenAIError.invalid("'tools' must be a list of tool definitions", param: "tools") }
            tools = value.jinjaValue
        }
        format = model.chat.format
        do {
            (prompt, promptTokens) = try model.chat.prompt(messages: messages, tools: tools)
        } catch let error as ChatFormatError {
            throw OpenAIError.invalid("the messages cannot be formatted: \(error.message)", param: "messages")
        }

        let wantsLogprobs = try fields.bool("logprobs") ?? false
        let top = try fields.int("top_logprobs", in: 0 ... limits.maxLogprobs)
        if top != nil, !wantsLogprobs {
            throw OpenAIError.invalid("'top_logprobs' needs 'logprobs': true", param: "top_logprobs")
        }
        topLogprobs = wantsLogprobs ? (top ?? 0) : nil

        let requested = try CompletionRequest.maxTokens(fields, limits: limits)
            ?? CompletionRequest.maxTokens(fields, name: "max_completion_tokens", limits: limits)
        let room = max(0, model.maxContextLength - promptTokens.count)
        let maxTokens = requested ?? min(room, limits.maxTokensLimit ?? room)
        try CompletionRequest.checkContext(promptTokens: promptTokens.count, maxTokens: maxTokens, context: model.maxContextLength,
                                           which: "the messages' prompt", param: "messages")
        sampling = try SamplingParameters(fields: fields, maxTokens: maxTokens)
        try CompletionRequest.checkStreamable(sampling, logprobs: topLogprobs)
    }

    /// The response JSON for the engine's `run` of this request.
    public func response(run: PromptRun, model: ServedModel) -> JSONValue {
        var logprobs = JSONValue.null
        if let topLogprobs, let scores = run.scores {
            let tokenizer = model.engine.tokenizer
            let tokens = run.promptTokens + run.generated
            let alignment = TokenAlignment(tokens: tokens, text: prompt + run.fullCompletion, tokenizer: tokenizer)
            let end = prompt.unicodeScalars.count + run.completion.unicodeScalars.count
            let cut = run.completion.unicodeScalars.count < run.fullCompletion.unicodeScalars.count
            var content: [JSONValue] = []
            for i in run.promptTokens.count ..< tokens.count where !cut || alignment.offsets[i] < end {
                let score = scores[i - 1]
                func entry(_ text: String, _ logprob: Double) -> [(String, JSONValue)] {
                    [("token", .string(text)), ("logprob", .double(logprob)), ("bytes", .array(Array(text.utf8).map { .int(Int($0)) }))]
                }
                let tops = score.top.prefix(topLogprobs).map {
                    JSONValue.object(JSONObject(entry(TokenAlignment.text(of: $0.id, after: tokens[i - 1], tokenizer: tokenizer), $0.logprob)))
                }
                content.append(.object(JSONObject(entry(alignment.texts[i], score.logprob) + [("top_logprobs", .array(tops))])))
            }
            logprobs = .object([("content", .array(content))])
        }
        return .object([
            ("id", .string(CompletionResponse.responseID(prefix: "chatcmpl-"))),
            ("object", .string("chat.completion")),
            ("created", .int(Int(Date().timeIntervalSince1970))),
            ("model", .string(model.id)),
            ("choices", .array([.object([
                ("index", .int(0)),
                ("message", .object([("role", .string("assistant")), ("content", .string(run.completion))])),
                ("logprobs", logprobs),
                ("finish_reason", .string(run.finishReason.rawValue)),
            ])])),
            ("usage", CompletionResponse.usage(prompt: run.promptTokens.count, completion: run.generated.count)),
        ])
    }
}
