import Foundation
import Harness
import Hummingbird
import NativeModel
import NIOCore

/// `forgetbench serve`: the built-in engine behind an OpenAI-compatible HTTP API.
///
/// Routes: `GET /v1/models`, `GET /v1/models/{id}`, `POST /v1/completions`
/// (``CompletionRequest``), `POST /v1/chat/completions` (``ChatCompletionRequest``),
/// `POST /tokenize` and `POST /detokenize` (``Tokenization``), `GET /health`, and vLLM's
/// `POST /v1/load_lora_adapter` `{"lora_name", "lora_path"}` and `POST /v1/unload_lora_adapter`
/// `{"lora_name"}`. A request's `model` names the base model or a loaded adapter
/// (``ServedModels``); `/v1/models` lists them all. Every error is an OpenAI error object
/// (``OpenAIError``); unknown routes are 404.
///
/// Requests are parsed, validated and tokenized concurrently; engine work (generation and scoring)
/// runs one request at a time on the model's engine queue (``ServedModel``), all prompts of one
/// request in one job, scored in one batched pass.
public struct OpenAIServer: Sendable {
    /// The models served: the base model and its adapters.
    public let models: ServedModels
    /// Per-request limits.
    public let limits: RequestLimits

    /// The base model.
    public var model: ServedModel { models.base }

    /// A server for `model` alone (no adapters) under `limits`.
    public init(model: ServedModel, limits: RequestLimits = RequestLimits()) {
        self.init(models: ServedModels(base: model), limits: limits)
    }

    /// A server for `models` under `limits`.
    public init(models: ServedModels, limits: RequestLimits = RequestLimits()) {
        self.models = models
        self.limits = limits
    }

    /// The router with every route and the error middleware (for tests: `Application(router:)`).
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: OpenAIErrorMiddleware())
        let models = self.models, limits = self.limits
        router.get("/health") { _, _ -> Response in
            JSONResponse.make(.object([("status", .string("ok"))]))
        }
        router.get("/v1/models") { _, _ -> Response in
            JSONResponse.make(.object([("object", .string("list")), ("data", .array(Self.modelObjects(models)))]))
        }
        router.get("/v1/models/:id") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard let object = Self.modelObjects(models).first(where: { $0["id"] == JSONValue.string(id) }) else {
                let names = ([models.base.id] + models.adapters.map(\.name)).map { "'\($0)'" }.joined(separator: ", ")
                throw OpenAIError(status: .notFound, message: "the model '\(id)' does not exist; this server serves \(names)",
                                  type: "invalid_request_error", param: "model", code: "model_not_found")
            }
            return JSONResponse.make(object)
        }
        router.post("/v1/load_lora_adapter") { request, _ -> Response in
            let fields = try RequestFields(try await Self.body(of: request, limits: limits))
            let name = try fields.requiredString("lora_name"), path = try fields.requiredString("lora_path")
            try await models.load(name: name, path: path)
            return Self.text("Success: LoRA adapter '\(name)' added successfully.")
        }
        router.post("/v1/unload_lora_adapter") { request, _ -> Response in
            let fields = try RequestFields(try await Self.body(of: request, limits: limits))
            let name = try fields.requiredString("lora_name")
            try models.unload(name: name)
            return Self.text("Success: LoRA adapter '\(name)' removed successfully.")
        }
        router.post("/v1/completions") { request, _ -> Response in
            try await CompletionRequest.answer(request, models: models, limits: limits)
        }
        router.post("/v1/chat/completions") { request, _ -> Response in
            try await ChatCompletionRequest.answer(request, models: models, limits: limits)
        }
        router.post("/tokenize") { request, _ -> Response in
            let body = try await Self.body(of: request, limits: limits)
            return JSONResponse.make(try Tokenization.tokenize(body: body, model: try models.model(for: body, optional: true)))
        }
        router.get("/tokenizer_info") { _, _ -> Response in JSONResponse.make(Tokenization.info(model: models.base)) }
        router.post("/detokenize") { request, _ -> Response in
            let body = try await Self.body(of: request, limits: limits)
            return JSONResponse.make(try Tokenization.detokenize(body: body, model: try models.model(for: body, optional: true)))
        }
        return router
    }

    /// The `/v1/models` entry of the served model. An adapter's (as vLLM lists them) adds `root`
    /// (its directory), `parent` (the base model's id) and `fingerprint` (sha256 of its files).
    static func modelObject(_ model: ServedModel, adapter: ServedModels.Adapter? = nil, parent: String? = nil) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("id", .string(model.id)),
            ("object", .string("model")),
            ("created", .int(model.created)),
            ("owned_by", .string("forgetbench")),
            ("max_model_len", .int(model.maxContextLength)),
        ]
        if let adapter, let parent {
            fields += [("root", .string(adapter.path)), ("parent", .string(parent))]
            if let fingerprint = adapter.fingerprint { fields.append(("fingerprint", .string(fingerprint.sha256))) }
        }
        return .object(JSONObject(fields))
    }

    /// The `/v1/models` entries: the base model, then each adapter in load order.
    static func modelObjects(_ models: ServedModels) -> [JSONValue] {
        [modelObject(models.base)] + models.adapters.map { modelObject($0.adapter.model, adapter: $0.adapter, parent: models.base.id) }
    }

    /// A `text/plain` answer (vLLM answers the adapter routes so).
    static func text(_ line: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: line)))
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
            throw OpenAIError.invalid("the request body is not valid JSON (\(error))", code: "invalid_json")
        }
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
