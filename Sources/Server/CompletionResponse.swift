import Foundation
import Harness
import NativeModel

/// The body of a `POST /v1/completions` answer (`object: "text_completion"`).
///
/// `{"id": "cmpl-...", "object": "text_completion", "created", "model", "choices": [{"text",
/// "index", "logprobs", "finish_reason"}], "usage": {"prompt_tokens", "completion_tokens",
/// "total_tokens"}}`. `text` is the completion (the prompt plus the completion with `echo`);
/// `logprobs` is null unless asked for (see ``CompletionLogprobs``); `finish_reason` is `stop`
/// (a stop sequence or EOS) or `length` (`max_tokens` reached, or 0). Token counts include BOS.
public enum CompletionResponse {
    /// The response JSON for `request`'s runs.
    public static func make(request: CompletionRequest, runs: [PromptRun], model: ServedModel) -> JSONValue {
        var choices: [JSONValue] = []
        for (index, (prompt, run)) in zip(request.prompts, runs).enumerated() {
            let logprobs: JSONValue = request.logprobs.map {
                CompletionLogprobs.make(run: run, prompt: prompt, echo: request.echo, topK: $0, tokenizer: model.engine.tokenizer)
            } ?? .null
            choices.append(.object([
                ("text", .string(request.echo ? prompt + run.completion : run.completion)),
                ("index", .int(index)),
                ("logprobs", logprobs),
                ("finish_reason", .string(run.finishReason.rawValue)),
            ]))
        }
        let promptTokens = runs.map(\.promptTokens.count).reduce(0, +)
        let completionTokens = runs.map(\.generated.count).reduce(0, +)
        return .object([
            ("id", .string(responseID(prefix: "cmpl-"))),
            ("object", .string("text_completion")),
            ("created", .int(Int(Date().timeIntervalSince1970))),
            ("model", .string(model.id)),
            ("choices", .array(choices)),
            ("usage", usage(prompt: promptTokens, completion: completionTokens)),
        ])
    }

    /// `{"prompt_tokens", "completion_tokens", "total_tokens"}`.
    static func usage(prompt: Int, completion: Int) -> JSONValue {
        .object([("prompt_tokens", .int(prompt)), ("completion_tokens", .int(completion)), ("total_tokens", .int(prompt + completion))])
    }

    /// A fresh response id: `prefix` and 24 random hex digits.
    static func responseID(prefix: String) -> String {
        prefix + (0 ..< 3).map { _ in String(format: "%08x", UInt32.random(in: 0 ... .max)) }.joined()
    }
}
