import Foundation
import Harness
import Hummingbird

/// A completions-style request (`/v1/completions`, `/v1/chat/completions`) and how the server
/// answers it: one JSON response, or with `stream` server-sent chunks (``CompletionStream``).
protocol CompletionEndpoint: Sendable {
    /// Parses and validates a request body for `model`.
    init(body: JSONValue, model: ServedModel, limits: RequestLimits) throws
    /// Generation settings (`stream` among them).
    var sampling: SamplingParameters { get }
    /// The streamed answer.
    func stream(model: ServedModel) -> Response
    /// The whole answer, once the engine has run.
    func response(model: ServedModel) async throws -> JSONValue
}

extension CompletionEndpoint {
    /// Reads `request`'s body, finds the model it names, parses it as this endpoint's request and
    /// answers it.
    static func answer(_ request: Request, models: ServedModels, limits: RequestLimits) async throws -> Response {
        let body = try await OpenAIServer.body(of: request, limits: limits)
        let model = try models.model(for: body)
        let parsed = try Self(body: body, model: model, limits: limits)
        return parsed.sampling.stream ? parsed.stream(model: model) : JSONResponse.make(try await parsed.response(model: model))
    }
}

extension CompletionRequest: CompletionEndpoint {
    func stream(model: ServedModel) -> Response {
        let envelope = StreamEnvelope(idPrefix: "cmpl-", object: "text_completion", model: model)
        return CompletionStream.response(prompts: promptTokens, echoTexts: echo ? prompts : nil, sampling: sampling, model: model) { index, text, finish in
            envelope.chunk([("text", .string(text)), ("index", .int(index))], finish: finish)
        }
    }

    func response(model: ServedModel) async throws -> JSONValue {
        let runs = try await PromptRun.run(prompts: promptTokens, sampling: sampling, topK: logprobs, model: model)
        return CompletionResponse.make(request: self, runs: runs, model: model)
    }
}

extension ChatCompletionRequest: CompletionEndpoint {
    func stream(model: ServedModel) -> Response {
        let envelope = StreamEnvelope(idPrefix: "chatcmpl-", object: "chat.completion.chunk", model: model)
        // The role comes with the first piece; the last chunk has an empty delta.
        let started = StreamFlag()
        return CompletionStream.response(prompts: [promptTokens], echoTexts: [""], sampling: sampling, model: model) { _, text, finish in
            var delta: [(String, JSONValue)] = []
            if started.setOnce() { delta.append(("role", .string("assistant"))) }
            if finish == nil { delta.append(("content", .string(text))) }
            return envelope.chunk([("index", .int(0)), ("delta", .object(JSONObject(delta)))], finish: finish)
        }
    }

    func response(model: ServedModel) async throws -> JSONValue {
        let runs = try await PromptRun.run(prompts: [promptTokens], sampling: sampling, topK: topLogprobs, model: model)
        return response(run: runs[0], model: model)
    }
}
