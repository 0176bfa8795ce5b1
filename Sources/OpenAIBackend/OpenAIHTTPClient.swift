import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends JSON bodies to a server and returns the answers, retrying what is worth retrying.
///
/// Each attempt has `requestTimeout` seconds. Statuses 408, 409, 429, 5xx, refused or reset
/// connections and timeouts are retried per the `RetryPolicy` (honouring `Retry-After`); other
/// 4xx answers are thrown at once as `OpenAIBackendError.httpStatus`.
///
/// Foundation's `URLSession` (libcurl on Linux) carries the requests: a pool of up to
/// `concurrency` connections per host, no cache, no cookies. (It keeps the `forgetbench` binary
/// free of a second networking stack, so a release build stays short.)
final class OpenAIHTTPClient: Sendable {
    nonisolated(unsafe) let session: URLSession
    let settings: OpenAIClientSettings

    init(settings: OpenAIClientSettings) {
        self.settings = settings
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = max(8, settings.concurrency)
        // libcurl's timeouts have whole-second resolution: they are only a backstop behind the
        // per-attempt deadline of `send(url:body:)`.
        configuration.timeoutIntervalForRequest = max(1, settings.requestTimeout.rounded(.up)) + 1
        configuration.timeoutIntervalForResource = max(1, settings.requestTimeout.rounded(.up)) + 1
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        session = URLSession(configuration: configuration)
    }

    deinit { session.finishTasksAndInvalidate() }

    func shutdown() async {}

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

    /// The raw answer body of a successful POST (a GET when `body` is nil), after retries.
    func send(url: String, body: Data?) async throws -> Data {
        let policy = settings.retry
        var attempt = 0
        while true {
            attempt += 1
            var lastError: String
            var retryAfter: Double?
            do {
                guard let address = URL(string: url) else {
                    throw OpenAIBackendError.invalidResponse(url: url, detail: "not a valid URL")
                }
                var request = URLRequest(url: address, cachePolicy: .reloadIgnoringLocalCacheData,
                                         timeoutInterval: max(1, settings.requestTimeout.rounded(.up)) + 1)
                request.httpMethod = body == nil ? "GET" : "POST"
                if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
                request.setValue("application/json", forHTTPHeaderField: "Accept")
                if let key = settings.apiKey { request.setValue(key.authorizationHeader, forHTTPHeaderField: "Authorization") }
                request.httpBody = body
                let (data, response) = try await withDeadline(seconds: settings.requestTimeout) { [session, request] in
                    try await Self.data(session, for: request)
                }
                guard let http = response as? HTTPURLResponse else {
                    throw OpenAIBackendError.invalidResponse(url: url, detail: "not an HTTP response")
                }
                let status = http.statusCode
                if (200 ..< 300).contains(status) { return data }
                guard RetryPolicy.isRetryable(status: status) else {
                    throw OpenAIBackendError.httpStatus(url: url, status: status, body: Self.excerpt(data))
                }
                lastError = "HTTP \(status)" + (data.isEmpty ? "" : " \(Self.excerpt(data))")
                retryAfter = http.value(forHTTPHeaderField: "Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
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

    /// `session.data(for:)` without Foundation's async wrapper, which on Linux can deadlock: when the
    /// Swift task is cancelled (a deadline, or another request's error ending the run) it cancels the
    /// URL task synchronously on the session's queue while holding the task's status lock, and the
    /// session's queue may at that moment be failing the request and waiting for the same lock (seen
    /// when a server died mid-run). Here the cancellation is handed to another queue.
    static func data(_ session: URLSession, for request: URLRequest) async throws -> (Data, URLResponse) {
        let handle = CancellableTask()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, URLResponse), any Error>) in
                let task = session.dataTask(with: request) { data, response, error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else if let data, let response {
                        continuation.resume(returning: (data, response))
                    } else {
                        continuation.resume(throwing: URLError(.badServerResponse))
                    }
                }
                handle.start(task)
            }
        } onCancel: {
            handle.cancel()
        }
    }

    /// `work`'s result, or `URLError(.timedOut)` when it takes longer than `seconds`.
    func withDeadline<T: Sendable>(seconds: Double, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(max(0.001, seconds) * 1e9))
                throw URLError(.timedOut)
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw URLError(.timedOut) }
            return first
        }
    }

    /// A transport error in words (no headers, so never the API key).
    static func describe(_ error: any Error) -> String {
        if let e = error as? URLError {
            switch e.code {
            case .timedOut: return "timed out after the request timeout"
            case .cannotConnectToHost, .networkConnectionLost, .cannotFindHost, .notConnectedToInternet:
                return "cannot reach the server (\(e.code.rawValue): \(e.localizedDescription))"
            default: return "URL error \(e.code.rawValue): \(e.localizedDescription)"
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

/// A URL task that may be cancelled before it has started, and whose cancellation runs on a queue
/// of its own (never under the caller's locks).
private final class CancellableTask: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionTask?
    private var cancelled = false

    func start(_ task: URLSessionTask) {
        lock.lock()
        self.task = task
        let cancelled = cancelled
        lock.unlock()
        task.resume()
        if cancelled { cancelSoon(task) }
    }

    func cancel() {
        lock.lock()
        cancelled = true
        let task = task
        lock.unlock()
        if let task { cancelSoon(task) }
    }

    private func cancelSoon(_ task: URLSessionTask) {
        nonisolated(unsafe) let task = task
        DispatchQueue.global().async { task.cancel() }
    }
}
