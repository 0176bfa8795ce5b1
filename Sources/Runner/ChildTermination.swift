import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Stopping a child program the run started (a trainer, a server) and everything it started in turn.
/// Foundation starts a child in a process group of its own, so a terminal's Ctrl-C reaches only
/// `forgetbench`: without ``TerminationSignals`` an interrupted run would leave its trainer or
/// server running.
enum ChildTermination {
    /// Sends SIGTERM to the process group `process` leads (to the process alone when it leads
    /// none), SIGKILL after `grace` seconds, and waits for it. Nothing when it has exited.
    static func terminate(_ process: Process, grace: Double) {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        let group = getpgid(pid) == pid
        _ = group ? kill(-pid, SIGTERM) : kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning { _ = group ? kill(-pid, SIGKILL) : kill(pid, SIGKILL) }
        process.waitUntilExit()
    }
}

/// While installed, SIGINT, SIGTERM and SIGHUP to this process first run `cleanup`, then end the
/// process as the signal would have. ``cancel()`` restores the handlers found at installation.
final class TerminationSignals: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private var previous: [(Int32, (@convention(c) (Int32) -> Void)?)] = []
    private let lock = NSLock()

    init(cleanup: @escaping @Sendable () -> Void) {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            previous.append((sig, signal(sig, SIG_IGN)))
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                cleanup()
                signal(sig, SIG_DFL)
                kill(getpid(), sig)   // to the process: dispatch threads block signals
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Removes the handlers (idempotent).
    func cancel() {
        lock.lock()
        defer { lock.unlock() }
        for source in sources { source.cancel() }
        for (sig, handler) in previous { signal(sig, handler) }
        sources = []
        previous = []
    }

    deinit { cancel() }
}
