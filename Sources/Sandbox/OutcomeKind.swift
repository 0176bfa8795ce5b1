/// How a program run in the sandbox ended. The raw values are what samples files record.
public enum OutcomeKind: String, Codable, Hashable, Sendable, CaseIterable {
    /// The program and its tests ran to the end without an exception.
    case passed
    /// An `assert` failed (`AssertionError`).
    case failedAssertion = "failed_assertion"
    /// The program does not compile (`SyntaxError`, `IndentationError`, a NUL byte).
    case syntaxError = "syntax_error"
    /// Any other exception, an early exit (`sys.exit`, `os._exit`) or a crash by signal.
    case runtimeError = "runtime_error"
    /// The wall-clock deadline or the CPU-time limit was reached; the whole process tree was killed.
    case timeout
    /// The address-space limit was reached (`MemoryError`).
    case memory
    /// stdout and stderr together exceeded the output cap; the whole process tree was killed.
    case outputLimit = "output_limit"
    /// The sandbox could not be set up for this program (bubblewrap failed, or a spawn failed).
    case sandboxRefused = "sandbox_refused"

    /// Whether the program passed its tests.
    public var isPass: Bool { self == .passed }
}
