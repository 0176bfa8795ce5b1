import Harness
import Hummingbird
import NativeModel
import NIOCore

/// An error the server answers with an OpenAI-style error object and an HTTP status:
/// `{"error": {"message": ..., "type": ..., "param": ..., "code": ...}}`.
///
/// Malformed requests are `400` with type `invalid_request_error` (an unknown model included, as
/// the issue asks; OpenAI itself answers 404 there); an unknown route is `404`; a body over the
/// size limit is `413`; a failure inside the engine is `500` with type `server_error`.
public struct OpenAIError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status code.
    public var status: HTTPResponse.Status
    /// One line saying what is wrong, naming the offending value where that helps.
    public var message: String
    /// `invalid_request_error`, `not_found_error` or `server_error`.
    public var type: String
    /// The request field at fault (`"max_tokens"`, `"messages[1].content"`), or nil.
    public var param: String?
    /// A machine-readable code (`"model_not_found"`, `"context_length_exceeded"`, ...), or nil.
    public var code: String?

    /// An error with every field given.
    public init(status: HTTPResponse.Status, message: String, type: String, param: String? = nil, code: String? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
    }

    /// A `400 invalid_request_error` about `param`.
    public static func invalid(_ message: String, param: String? = nil, code: String? = nil) -> OpenAIError {
        OpenAIError(status: .badRequest, message: message, type: "invalid_request_error", param: param, code: code)
    }

    public var description: String { message }

    /// The error object as JSON.
    public var json: JSONValue {
        .object([("error", .object([
            ("message", .string(message)),
            ("type", .string(type)),
            ("param", param.map(JSONValue.string) ?? .null),
            ("code", code.map(JSONValue.string) ?? .null),
        ]))])
    }

    /// The HTTP response carrying the error object.
    public var response: Response {
        JSONResponse.make(json, status: status)
    }
}

/// Builds `application/json` responses from a ``JSONValue``.
public enum JSONResponse {
    /// A response with `value` as its JSON body.
    public static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        let data = value.serialized()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every error that reaches the router, its own `404`/`405` included, into an OpenAI-style
/// error response, so that clients always get a JSON error object.
public struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// A middleware for any request context.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as OpenAIError {
            return error.response
        } catch let error as EngineError {
            return OpenAIError.invalid(error.description).response
        } catch is NIOTooManyBytesError {
            return OpenAIError(status: .contentTooLarge, message: "the request body is larger than the server's limit", type: "invalid_request_error", code: "request_too_large").response
        } catch let error as HTTPError {
            switch error.status {
            case .notFound:
                return OpenAIError(status: .notFound, message: "no route \(request.method) \(request.uri.path); the server serves GET /v1/models, POST /v1/completions, POST /v1/chat/completions, POST /tokenize, POST /detokenize and GET /health",
                                   type: "invalid_request_error", code: "not_found").response
            case .methodNotAllowed:
                return OpenAIError(status: .methodNotAllowed, message: "\(request.method) is not allowed on \(request.uri.path)", type: "invalid_request_error", code: "method_not_allowed").response
            case .contentTooLarge:
                return OpenAIError(status: .contentTooLarge, message: "the request body is larger than the server's limit", type: "invalid_request_error", code: "request_too_large").response
            default:
                let status = error.status
                let type = status.code >= 500 ? "server_error" : "invalid_request_error"
                return OpenAIError(status: status, message: error.body ?? status.reasonPhrase, type: type).response
            }
        } catch {
            return OpenAIError(status: .internalServerError, message: "\(error)", type: "server_error").response
        }
    }
}
