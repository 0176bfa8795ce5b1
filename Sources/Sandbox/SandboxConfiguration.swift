import Foundation

/// How programs are run: confinement, limits, parallelism and the interpreter.
public struct SandboxConfiguration: Hashable, Sendable {
    /// Whether programs are confined.
    public enum Confinement: String, Hashable, Sendable {
        /// Linux namespaces through bubblewrap: a new network (loopback only), PID, IPC, UTS, mount,
        /// user and cgroup namespace; only `/usr` (read-only) and a fresh tmpfs are visible.
        case bubblewrap
        /// No confinement: the interpreter runs on the host in a temporary directory, with the
        /// rlimits, the clean environment and the deadline, but it can read and write whatever
        /// the user can and reach the network. Only at the user's explicit request.
        case unconfined
    }

    public var confinement: Confinement
    /// Programs run at the same time (≥ 1).
    public var workers: Int
    public var limits: ResourceLimits
    /// The Python interpreter; under `/usr` when confined (only `/usr` is visible in the sandbox).
    public var interpreter: String
    /// The bubblewrap executable.
    public var bubblewrap: String
    /// `setpriv` (util-linux), used when running as root to drop to an unprivileged user per worker.
    public var setpriv: String
    /// A word put on every sandbox process's command line, to find them (tests check none is left).
    public var label: String

    /// - Parameters:
    ///   - workers: default: the number of active processors (at most 256).
    public init(confinement: Confinement = .bubblewrap, workers: Int? = nil, limits: ResourceLimits = ResourceLimits(),
                interpreter: String = "/usr/bin/python3", bubblewrap: String = "/usr/bin/bwrap", setpriv: String = "/usr/bin/setpriv",
                label: String = "forgetbench-sandbox") {
        self.confinement = confinement
        self.workers = workers ?? min(256, max(1, ProcessInfo.processInfo.activeProcessorCount))
        self.limits = limits
        self.interpreter = interpreter
        self.bubblewrap = bubblewrap
        self.setpriv = setpriv
        self.label = label
    }

    /// Checks the settings. - Throws: `SandboxError.invalidConfiguration`.
    public func validate() throws(SandboxError) {
        if workers < 1 || workers > 256 { throw .invalidConfiguration("the worker count must be between 1 and 256, got \(workers)") }
        try limits.validate()
        guard interpreter.hasPrefix("/") else { throw .invalidConfiguration("the interpreter must be an absolute path, got '\(interpreter)'") }
        if confinement == .bubblewrap, !interpreter.hasPrefix("/usr/") {
            throw .invalidConfiguration("the interpreter must live under /usr (only /usr is visible in the sandbox), got '\(interpreter)'")
        }
        guard !label.isEmpty, label.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw .invalidConfiguration("the label must be letters, digits, '-', '_' or '.', got '\(label)'")
        }
    }
}
