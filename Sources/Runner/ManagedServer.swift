import Foundation
import OpenAIBackend
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An inference server a run started (`model.server.start`) and stops when it ends: its output
/// (stdout and stderr) is appended to a log file, readiness is polled, and stopping runs the
/// spec's `stop` command or terminates the process group started (SIGTERM, then SIGKILL).
final class ManagedServer: @unchecked Sendable {
    let process: Process
    let log: URL
    /// The command line run.
    let arguments: [String]
    private var stopped = false
    private let lock = NSLock()
    /// SIGINT, SIGTERM and SIGHUP stop the server before this process ends: it leads a process
    /// group of its own, so a terminal's Ctrl-C does not reach it.
    private var signals: TerminationSignals?

    /// Starts `arguments` with its output appended to `log`.
    /// - Throws: ``RunnerError/invalid(_:)`` when the program cannot be started.
    init(arguments: [String], log: URL, directory: URL? = nil) throws {
        self.arguments = arguments
        self.log = log
        try FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: log.path) else { throw RunnerError.invalid("\(log.path): cannot write the server's log") }
        handle.seekToEndOfFile()
        handle.write(Data("$ \(arguments.map(TrainerCommand.quoted).joined(separator: " "))\n".utf8))
        process = TrainerCommand.process(arguments, in: directory)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            try? handle.close()
            throw RunnerError.invalid("cannot start the server \(arguments[0]): \(error.localizedDescription)")
        }
        try? handle.close()
        signals = TerminationSignals { [weak self] in self?.stop(grace: 5) }
    }

    /// The last `count` lines of the log.
    func lastLines(_ count: Int = 10) -> [String] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return Array(text.split(separator: "\n").suffix(count).map(String.init))
    }

    /// Waits until `GET url` answers 2xx (polled every 0.25 s), the process exits, or `timeout` seconds pass.
    /// - Throws: ``RunnerError/invalid(_:)`` naming the log and its last lines when the server
    ///   exits first or is not ready in time.
    func waitUntilReady(url: String, timeout: Double) async throws {
        let prober = try OpenAILanguageModel(settings: OpenAIClientSettings(baseURL: url, modelName: "probe", concurrency: 1,
                                                                             requestTimeout: 5, retry: RetryPolicy(maxRetries: 0)))
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if !process.isRunning {
                throw RunnerError.invalid("the server exited with status \(process.terminationStatus) before it was ready (log: \(log.path))\n"
                    + lastLines().map { "  | \($0)" }.joined(separator: "\n"))
            }
            if await prober.probe(url: url) { return }
            guard Date() < deadline else {
                throw RunnerError.invalid("the server did not answer GET \(url) within \(Int(timeout)) s (model.server.timeout; log: \(log.path))\n"
                    + lastLines().map { "  | \($0)" }.joined(separator: "\n"))
            }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
    }

    /// Stops the server: runs `command` when given (its output into the log), else sends SIGTERM
    /// to the process group the server leads (to the process alone when it leads none) and
    /// SIGKILL after `grace` seconds. Idempotent.
    func stop(command: [String]? = nil, grace: Double = 20) {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        signals?.cancel()
        if let command {
            _ = try? TrainerCommand.run(arguments: command, log: log)
        }
        ChildTermination.terminate(process, grace: grace)
    }

    deinit { stop() }

    /// A TCP port that was free a moment ago (bound to port 0 on 127.0.0.1 and released).
    static func freePort() throws -> Int {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw RunnerError.invalid("cannot open a socket to find a free port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw RunnerError.invalid("cannot bind a socket to find a free port") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
