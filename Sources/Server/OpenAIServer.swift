import Foundation
import Hummingbird
import NativeModel
import NIOCore

/// `forgetbench serve`: the built-in engine behind an OpenAI-compatible HTTP API.
///
/// Routes: `GET /v1/models`, `GET /v1/models/{id}`, `POST /v1/completions`
/// (``CompletionRequest``), `POST /v1/chat/completions` (``ChatCompletionRequest``),
/// `POST /tokenize` and `POST /detokenize` (``Tokenization``) and `GET /health`. Every error is an OpenAI error object (``OpenAIError``); unknown routes are 404.
///
/// Requests are parsed, validated and tokenized concurrently; engine work (generation and scoring)
/// runs one request at a time on the model's engine queue (``ServedModel``), all prompts of one
/// request in one job, scored in one batched pass.
public struct OpenAIServer: Sendable {
    /// The model served.
    public let model: ServedModel
    /// Per-request limits.
    public let limits: RequestLimits

    /// A server for `model` under `limits`.
    public init(model: ServedModel, limits: RequestLimits = RequestLimits()) {
        self.model = model
        self.limits = limits
    }

    /// The router with every route and the error middleware (for tests: `Application(router:)`).
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: OpenAIErrorMiddleware())
        let model = self.model, limits = self.limits
        router.get("/health") { _, _ -> Response in
            JSONResponse.make(.object([("status", .string("ok"))]))
        }
        router.get("/v1/models") { _, _ -> Response in
            JSONResponse.make(.object([("object", .string("list")), ("data", .array([Self.modelObject(model)]))]))
        }
        router.get("/v1/models/:id") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard id == model.id else {
                throw OpenAIError(status: .notFound, message: "the model '\(id)' does not exist; this server serves '\(model.id)'",
                                  type: "invalid_request_error", param: "model", code: "model_not_found")
            }
            return JSONResponse.make(Self.modelObject(model))
        }
        router.post("/v1/completions") { request, _ -> Response in
            let body = try await Self.body(of: request, limits: limits)
            let completion = try CompletionRequest(body: body, model: model, limits: limits)
            if completion.sampling.stream {
                let id = CompletionResponse.responseID(prefix: "cmpl-"), created = Int(Date().timeIntervalSince1970)
                return CompletionStream.response(prompts: completion.promptTokens, echoTexts: completion.echo ? completion.prompts : nil,
                                                 sampling: completion.sampling, model: model) { index, text, finish in
                    .object([
                        ("id", .string(id)), ("object", .string("text_completion")), ("created", .int(created)), ("model", .string(model.id)),
                        ("choices", .array([.object([("text", .string(text)), ("index", .int(index)), ("logprobs", .null),
                                                     ("finish_reason", finish.map { .string($0.rawValue) } ?? .null)])])),
                    ])
                }
            }
            let runs = try await PromptRun.run(prompts: completion.promptTokens, sampling: completion.sampling,
                                               topK: completion.logprobs, model: model)
            return JSONResponse.make(CompletionResponse.make(request: completion, runs: runs, model: model))
        }
        router.post("/v1/chat/completions") { request, _ -> Response in
            let body = try await Self.body(of: request, limits: limits)
            let chat = try ChatCompletionRequest(body: body, model: model, limits: limits)
            if chat.sampling.stream {
                let id = CompletionResponse.responseID(prefix: "chatcmpl-"), created = Int(Date().timeIntervalSince1970)
                // The role comes with the first piece; the last chunk has an empty delta.
                let started = StreamFlag()
                return CompletionStream.response(prompts: [chat.promptTokens], echoTexts: [""], sampling: chat.sampling, model: model) { _, text, finish in
                    var delta: [(String, JSONValue)] = []
                    if started.setOnce() { delta.append(("role", .string("assistant"))) }
                    if finish == nil { delta.append(("content", .string(text))) }
                    return .object([
                        ("id", .string(id)), ("object", .string("chat.completion.chunk")), ("created", .int(created)), ("model", .string(model.id)),
                        ("choices", .array([.object([("index", .int(0)), ("delta", .object(delta)), ("logprobs", .null),
                                                     ("finish_reason", finish.map { .string($0.rawValue) } ?? .null)])])),
                    ])
                }
            }
            let runs = try await PromptRun.run(prompts: [chat.promptTokens], sampling: chat.sampling, topK: chat.topLogprobs, model: model)
            return JSONResponse.make(chat.response(run: runs[0], model: model))
        }
        router.post("/tokenize") { request, _ -> Response in
            JSONResponse.make(try Tokenization.tokenize(body: try await Self.body(of: request, limits: limits), model: model))
        }
        router.get("/tokenizer_info") { _, _ -> Response in JSONResponse.make(Tokenization.info(model: model)) }
        router.post("/detokenize") { request, _ -> Response in
            JSONResponse.make(try Tokenization.detokenize(body: try await Self.body(of: request, limits: limits), model: model))
        }
        return router
    }

    /// The `/v1/models` entry of the served model.
    static func modelObject(_ model: ServedModel) -> JSONValue {
        .object([
            ("id", .string(model.id)),
            ("object", .string("model")),
            ("created", .int(model.created)),
            ("owned_by", .string("forgetbench")),
            ("max_model_len", .int(model.maxContextLength)),
        ])
    }

    /// The request body as JSON, at most `limits.maxRequestBytes` bytes.
    /// - Throws: ``OpenAIError`` 413 when the body is larger, 400 when it is not JSON.
    static func body(of request: Request, limits: RequestLimits) async throws -> JSONValue {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limits.maxRequestBytes)
        } catch is NIOTooManyBytesError {
            throw OpenAIError(status: .contentTooLarge, message: "the request body is larger than the server's limit of \(limits.maxRequestBytes) bytes (--max-request-bytes)",
                              type: "invalid_request_error", code: "request_too_large")
        }
        let data = Data(buffer.readableBytesView)
        guard !data.isEmpty else { throw OpenAIError.invalid("the request body is empty; expected a JSON object") }
        do {
            return try JSONValue.parse(data)
        } catch {
            throw OpenAIError.invalid("the request body is not valid JSON (\(Self.describe(error)))", code: "invalid_json")
        }
    }

    static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return (context.underlyingError.map { "\($0)" } ?? context.debugDescription).replacingOccurrences(of: "\n", with: " ")
        }
        return "\(error)".replacingOccurrences(of: "\n", with: " ")
    }

    /// The URL clients use: `http://HOST:PORT/v1` (IPv6 hosts in brackets).
    public static func baseURL(host: String, port: Int) -> String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "http://\(h):\(port)/v1"
    }

    /// Serves on `host:port` until SIGINT or SIGTERM (port 0 picks a free port).
    /// `onListening` is called once with the bound port, after the socket is listening.
    /// - Throws: when the address cannot be bound.
    public func run(host: String, port: Int, onListening: @escaping @Sendable (Int) async -> Void) async throws {
        let app = Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "forgetbench"),
            onServerRunning: { channel in
                await onListening(channel.localAddress?.port ?? port)
            }
        )
        try await app.runService()
    }
}
