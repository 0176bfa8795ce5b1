import AsyncHTTPClient
import Foundation
import NIOCore

/// Sends JSON bodies to a server and returns the answers, retrying what is worth retrying.
///
/// Each attempt has `requestTimeout` seconds. Statuses 408, 409, 429, 5xx, refused or reset
/// connections and timeouts are retried per the `RetryPolicy` (honouring `Retry-After`); other
/// 4xx answers are thrown at once as `OpenAIBackendError.httpStatus`.
final class OpenAIHTTPClient: Sendable {
    let client: HTTPClient
    let settings: OpenAIClientSettings

    init(settings: OpenAIClientSettings) {
        self.settings = settings
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, settings.concurrency))
        configuration.timeout = .init(connect: .seconds(Int64(max(1, min(settings.requestTimeout, 30)))), read: nil)
        configuration.decompression = .disabled
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    deinit {
        // A no-op when `shutdown()` already ran.
        client.shutdown { _ in }
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// The full URL of `path` (e.g. `/completions`).
    func url(_ path: String) -> String { settings.baseURL + path }

    /// POSTs `body` as JSON to `path` and decodes the answer as `Response`.
    func post<Body: Encodable & Sendable, Response: Decodable>(_ path: String, _ body: Body, as type: Response.Type) async throws -> Response {
        let url = url(path)
        let data = try JSONEncoder().encode(body)
        let answer = try await send(url: url, body: data)
        do {
            return try JSONDecoder().decode(Response.self, from: answer)
        } catch {
            throw OpenAIBackendError.invalidResponse(url: url, detail: "cannot decode \(Response.self): \(error) in \(Self.excerpt(answer))")
        }
    }

    /// The raw answer body of a successful POST, after retries.
    func send(url: String, body: Data) async throws -> Data {
        let policy = settings.retry
        var attempt = 0
        while true {
            attempt += 1
            var lastError: String
            var retryAfter: Double?
            do {
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "Accept", value: "application/json")
                if let key = settings.apiKey { request.headers.add(name: "Authorization", value: key.authorizationHeader) }
                request.body = .bytes(ByteBuffer(bytes: body))
                let response = try await client.execute(request, timeout: .milliseconds(Int64(settings.requestTimeout * 1000)))
                let buffer = try await response.body.collect(upTo: 512 << 20)
                let data = Data(buffer.readableBytesView)
                let status = Int(response.status.code)
                if (200 ..< 300).contains(status) { return data }
                guard RetryPolicy.isRetryable(status: status) else {
                    throw OpenAIBackendError.httpStatus(url: url, status: status, body: Self.excerpt(data))
                }
                lastError = "HTTP \(status)" + (data.isEmpty ? "" : " \(Self.excerpt(data))")
                retryAfter = response.headers.first(name: "Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            } catch let error as OpenAIBackendError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                if Task.isCancelled { throw CancellationError() }
                lastError = Self.describe(error)
            }
            guard attempt <= policy.maxRetries else {
                throw OpenAIBackendError.retriesExhausted(url: url, attempts: attempt, lastError: lastError)
            }
            let seconds = policy.delay(beforeRetry: attempt, retryAfter: retryAfter)
            if seconds > 0 { try await Task.sleep(nanoseconds: UInt64(seconds * 1e9)) }
        }
    }

    /// A transport error in words (no headers, so never the API key).
    static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout: return "timed out (\(e))"
            default: return "\(e)"
            }
        }
        return String(describing: error)
    }

    /// The first 300 characters of a body, on one line.
    static func excerpt(_ data: Data) -> String {
        let text = String(decoding: data.prefix(600), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
