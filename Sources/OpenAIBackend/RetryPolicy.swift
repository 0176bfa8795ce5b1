/// When and how long to wait before resending a failed request.
///
/// Retries cover HTTP 408, 409, 429 and 5xx answers, refused or reset connections and timeouts.
/// The wait before retry `n` (1-based) is "full jitter" exponential backoff: uniform in
/// `[0, min(maxDelay, baseDelay * 2^(n-1))]`, or the server's `Retry-After` (seconds) when it
/// gives one, capped at `maxRetryAfter`.
public struct RetryPolicy: Sendable, Hashable {
    /// Retries after the first attempt (0: never retry). A request is sent at most `maxRetries + 1` times.
    public var maxRetries: Int
    /// Backoff base, in seconds.
    public var baseDelay: Double
    /// Longest backoff, in seconds.
    public var maxDelay: Double
    /// Longest `Retry-After` honoured, in seconds.
    public var maxRetryAfter: Double

    /// - Parameters:
    ///   - maxRetries: retries after the first attempt (>= 0).
    ///   - baseDelay: seconds; the first retry waits up to this long.
    ///   - maxDelay: seconds; no wait is longer (except a `Retry-After` up to `maxRetryAfter`).
    ///   - maxRetryAfter: seconds; the most of a server's `Retry-After` that is honoured.
    public init(maxRetries: Int = 6, baseDelay: Double = 0.5, maxDelay: Double = 30, maxRetryAfter: Double = 60) {
        self.maxRetries = max(0, maxRetries)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
        self.maxRetryAfter = max(0, maxRetryAfter)
    }

    /// Whether an HTTP status is worth retrying: 408, 409, 429 and every 5xx.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 409 || status == 429 || (500 ... 599).contains(status)
    }

    /// Seconds to wait before retry number `retry` (1-based), given the server's `Retry-After` in seconds, if any.
    public func delay(beforeRetry retry: Int, retryAfter: Double?) -> Double {
        if let retryAfter, retryAfter >= 0 { return min(retryAfter, maxRetryAfter) }
        let exponent = Double(min(max(retry - 1, 0), 40))
        let cap = min(maxDelay, baseDelay * pow2(exponent))
        return cap > 0 ? Double.random(in: 0 ... cap) : 0
    }

    private func pow2(_ e: Double) -> Double {
        var r = 1.0
        for _ in 0 ..< Int(e) { r *= 2 }
        return r
    }
}
