import Foundation
import Hummingbird

/// A Hummingbird router served on 127.0.0.1 for the length of a test body: the fake
/// OpenAI-compatible servers of the backend and command-line tests.
public enum LocalHTTPServer {
    /// Serves `router` at a free port, runs `body` with the server's base URL
    /// (`http://127.0.0.1:PORT/v1`), and stops the server when `body` returns or throws.
    public static func serve<T: Sendable>(_ router: Router<BasicRequestContext>, _ body: (String) async throws -> T) async throws -> T {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) })
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            defer { group.cancelAll() }
            return try await body("http://127.0.0.1:\(port)/v1")
        }
    }
}
