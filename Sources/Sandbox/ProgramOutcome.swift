/// What running one program produced: its outcome kind, a one-line reason, and what it printed
/// (each stream cut at the output cap).
public struct ProgramOutcome: Codable, Hashable, Sendable {
    public var kind: OutcomeKind
    /// One line saying why: the exception's last traceback line (`AssertionError`, `NameError: name
    /// 'x' is not defined`), the limit that was reached, or bubblewrap's complaint. Empty when passed.
    public var detail: String
    /// The exit status of the process that was started (bubblewrap's, which is the program's), when it exited.
    public var exitStatus: Int32?
    /// The signal that ended the process that was started, when one did.
    public var signal: Int32?
    /// What the program wrote on stdout (at most the output cap, as UTF-8 with invalid bytes replaced).
    public var stdout: String
    /// What the program wrote on stderr (at most the output cap).
    public var stderr: String
    /// Wall-clock seconds from spawning to reaping.
    public var seconds: Double

    public init(kind: OutcomeKind, detail: String, exitStatus: Int32? = nil, signal: Int32? = nil,
                stdout: String = "", stderr: String = "", seconds: Double = 0) {
        self.kind = kind
        self.detail = detail
        self.exitStatus = exitStatus
        self.signal = signal
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
    }
}
