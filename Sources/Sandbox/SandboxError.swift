/// Why the sandbox cannot run programs at all (as opposed to one program's outcome). The
/// description is one line that names the fix.
public enum SandboxError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Namespaces cannot be created here, or bubblewrap or the interpreter is missing.
    case unavailable(reason: String)
    /// A setting is out of range.
    case invalidConfiguration(String)

    /// The flag that runs model code without confinement, named in the fix.
    public static let unconfinedFlag = "--unsafe-run-code-unconfined"

    public var description: String {
        switch self {
        case let .unavailable(reason):
            return "cannot run code in a sandbox: \(reason). Fix: install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) "
                + "and allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 and user.max_user_namespaces > 0; "
                + "on Ubuntu 24.04 also kernel.apparmor_restrict_unprivileged_userns=0; in Docker, run with --security-opt seccomp=unconfined), "
                + "or pass \(Self.unconfinedFlag) to run model-written code on this machine without confinement"
        case let .invalidConfiguration(message):
            return "invalid sandbox setting: \(message)"
        }
    }
}
