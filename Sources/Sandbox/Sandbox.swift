import CSandboxSupport
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs untrusted Python programs, each in a fresh sandbox, and says how each ended.
///
/// Confined (the default), every program runs under bubblewrap in new user, network (loopback
/// only), PID, IPC, UTS, mount and cgroup namespaces, sees only `/usr` read-only (with the
/// `/lib`, `/lib64`, `/bin`, `/sbin` links), a fresh `/dev` and `/proc`, and a fresh tmpfs as its
/// working directory, with an empty environment (a few Python settings aside: nothing of the
/// parent's), as an unprivileged user, with hard rlimits on CPU, address space, file size,
/// processes and open files. A wall-clock deadline kills the namespace's init, which takes the
/// whole process tree with it; stdout and stderr are read as they come and capped. Nothing is
/// written on the host: the program arrives on stdin.
///
/// The first check or run makes this process a child subreaper (`PR_SET_CHILD_SUBREAPER`): the
/// namespace's init, orphaned when bubblewrap exits a moment before it, is reaped here, so that a
/// finished run has left no process behind, not even a zombie.
///
/// When running as root, bubblewrap is started through `setpriv` as an unprivileged user of its
/// own per worker slot (ids from ``slotUserIDs``): the kernel counts processes per user and does
/// not limit root at all, so this is what makes the process limit (and a fork bomb) hold.
public final class Sandbox: @unchecked Sendable {
    public let configuration: SandboxConfiguration
    /// When running as root: the user id each worker slot runs its programs as; nil otherwise.
    public let slotUserIDs: [UInt32]?
    private let slots: WorkerSlots
    private let probeLock = NSLock()
    private var probed: Result<Void, SandboxError>?
    private var bubblewrapFeatures: (disableUserns: Bool, sizedTmpfs: Bool) = (false, false)

    /// Environment variables of the interpreter (the parent's are never passed).
    static func environment(home: String) -> [String: String] {
        ["PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": home, "LANG": "C.UTF-8",
         "PYTHONHASHSEED": "0", "PYTHONUTF8": "1", "PYTHONDONTWRITEBYTECODE": "1"]
    }

    /// - Throws: `SandboxError.invalidConfiguration` for an out-of-range setting.
    public init(configuration: SandboxConfiguration = SandboxConfiguration()) throws(SandboxError) {
        try configuration.validate()
        self.configuration = configuration
        slots = WorkerSlots(count: configuration.workers)
        if geteuid() == 0, configuration.confinement == .bubblewrap {
            // Ids far above any account, different per process so two runs do not share them.
            let base = UInt32(1_000_000_000) + (UInt32(getpid()) & 0xFFFF) * 256
            slotUserIDs = (0 ..< configuration.workers).map { base + UInt32($0) }
        } else {
            slotUserIDs = nil
        }
    }

    /// Checks once, by running a tiny program, that programs can be confined here; later calls
    /// return the first answer. Unconfined, checks that the interpreter runs.
    /// - Throws: `SandboxError.unavailable` with the reason (the description names the fix).
    public func checkAvailable() throws(SandboxError) {
        probeLock.lock()
        defer { probeLock.unlock() }
        if probed == nil { probed = probe() }
        try probed!.get()
    }

    private func probe() -> Result<Void, SandboxError> {
        // A sandbox's init can outlive bubblewrap by a moment; as a subreaper this process
        // inherits and reaps it (and an unconfined program's orphans) instead of the system's init.
        _ = csandbox_become_subreaper()
        let fm = FileManager.default
        guard fm.isExecutableFile(atPath: configuration.interpreter) else {
            return .failure(.unavailable(reason: "the interpreter \(configuration.interpreter) is missing (Debian/Ubuntu: apt-get install python3)"))
        }
        if configuration.confinement == .bubblewrap {
            guard fm.isExecutableFile(atPath: configuration.bubblewrap) else {
                return .failure(.unavailable(reason: "bubblewrap (\(configuration.bubblewrap)) is not installed"))
            }
            if slotUserIDs != nil, !fm.isExecutableFile(atPath: configuration.setpriv) {
                return .failure(.unavailable(reason: "setpriv (\(configuration.setpriv), util-linux) is missing; as root it drops each program to an unprivileged user"))
            }
            let version = ChildProcess(executable: configuration.bubblewrap, arguments: ["--version"], environment: [:], directory: "/",
                                       newSession: false, infoDescriptor: false)
            if let result = try? version.run(input: [], wallSeconds: 10, outputCap: 4096) {
                let text = String(decoding: result.stdout, as: UTF8.self)
                let numbers = text.split(whereSeparator: { !$0.isNumber && $0 != "." }).first.map { $0.split(separator: ".").compactMap { Int($0) } } ?? []
                let atLeast08 = numbers.count >= 2 && (numbers[0] > 0 || numbers[1] >= 8)
                bubblewrapFeatures = (atLeast08, atLeast08)
            }
        }
        let slot = slots.acquire()
        defer { slots.release(slot) }
        let outcome = execute("import sys\nprint('ok', sys.version_info[0])\n", slot: slot, limits: ResourceLimits(wallSeconds: 30))
        guard outcome.kind == .passed, outcome.stdout == "ok 3\n" else {
            let said = (outcome.stderr.split(separator: "\n").last.map(String.init) ?? outcome.detail)
            let what = configuration.confinement == .bubblewrap ? "a test program could not run under bubblewrap" : "a test program could not run"
            return .failure(.unavailable(reason: "\(what) (\(outcome.kind.rawValue): \(said.isEmpty ? outcome.detail : said))"))
        }
        return .success(())
    }

    /// Runs one program, blocking the calling thread until it has ended and every process it
    /// started is gone (at most the wall-clock limit and about a second). Waits for a free worker
    /// slot first. Checks the sandbox first (once, see `checkAvailable()`): where it cannot work,
    /// every program is `sandboxRefused` with the reason.
    /// - Parameter source: Python source; the program's tests are part of it.
    public func run(_ source: String) -> ProgramOutcome {
        do { try checkAvailable() } catch {
            return ProgramOutcome(kind: .sandboxRefused, detail: error.description)
        }
        let slot = slots.acquire()
        defer { slots.release(slot) }
        return execute(source, slot: slot, limits: configuration.limits)
    }

    /// Runs `sources`, at most `configuration.workers` at a time, each on a thread of its own (not
    /// the concurrency pool's); outcomes come back in the order of `sources`.
    public func run(_ sources: [String]) async -> [ProgramOutcome] {
        await withTaskGroup(of: (Int, ProgramOutcome).self) { group in
            var outcomes = [ProgramOutcome?](repeating: nil, count: sources.count)
            var next = 0
            func submit() {
                let index = next
                let source = sources[index]
                group.addTask { (index, await self.runOnThread(source)) }
                next += 1
            }
            while next < min(configuration.workers, sources.count) { submit() }
            while let (index, outcome) = await group.next() {
                outcomes[index] = outcome
                if next < sources.count { submit() }
            }
            return outcomes.map { $0! }
        }
    }

    private func runOnThread(_ source: String) async -> ProgramOutcome {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: self.run(source)) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Runs `source` in worker slot `slot` under `limits`.
    private func execute(_ source: String, slot: Int, limits: ResourceLimits) -> ProgramOutcome {
        let confined = configuration.confinement == .bubblewrap
        var scratch: String?
        let child: ChildProcess
        let pythonArguments = ["-S", "-s", "-B", "-c", PythonLauncher.source]
        if confined {
            // The namespace's init and the interpreter count too. Since Linux 5.14 the kernel
            // counts the processes of the sandbox's own user namespace; before, every process of
            // the user, bubblewrap's own among them.
            let perNamespace = Self.kernelCountsProcessesPerUserNamespace
            var processLimit = limits.processes + (perNamespace ? 2 : 3)
            var executable = configuration.bubblewrap
            var prefix: [String] = []
            if let ids = slotUserIDs {
                let id = ids[slot]
                executable = configuration.setpriv
                prefix = ["--reuid=\(id)", "--regid=\(id)", "--clear-groups", "--", configuration.bubblewrap]
            } else if !perNamespace {
                // The limit counts every task of this user, the caller's own included.
                processLimit += ProcessTable.taskCount(uid: getuid())
            }
            let launcher = PythonLauncher.arguments(label: configuration.label, limits: limits, processLimit: processLimit)
            child = ChildProcess(executable: executable,
                                 arguments: prefix + bubblewrapArguments(limits: limits) + [configuration.interpreter] + pythonArguments + launcher,
                                 environment: ["PATH": "/usr/bin:/bin"], directory: "/", newSession: false, infoDescriptor: true)
        } else {
            let template = URL(fileURLWithPath: NSTemporaryDirectory()).standardized.appendingPathComponent("forgetbench-sandbox-XXXXXX").path
            var path = Array(template.utf8CString)
            guard mkdtemp(&path) != nil else {
                return ProgramOutcome(kind: .sandboxRefused, detail: "cannot create a working directory: \(String(cString: strerror(errno)))")
            }
            let directory = String(decoding: path.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            scratch = directory
            let launcher = PythonLauncher.arguments(label: configuration.label, limits: limits, processLimit: limits.processes + 1)
            child = ChildProcess(executable: configuration.interpreter, arguments: pythonArguments + launcher,
                                 environment: Self.environment(home: directory), directory: directory, newSession: true, infoDescriptor: false)
        }
        defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }
        let result: ChildProcess.Result
        do {
            result = try child.run(input: Array(source.utf8), wallSeconds: limits.wallSeconds, outputCap: limits.outputBytes)
        } catch {
            return ProgramOutcome(kind: .sandboxRefused, detail: error.description)
        }
        return Self.classify(result, confined: confined, limits: limits)
    }

    /// Whether `RLIMIT_NPROC` counts the processes of a user namespace (Linux 5.14 and later)
    /// rather than every process of the user.
    static let kernelCountsProcessesPerUserNamespace: Bool = {
        var name = utsname()
        guard uname(&name) == 0 else { return false }
        let release = withUnsafeBytes(of: name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard numbers.count == 2 else { return false }
        return numbers[0] > 5 || (numbers[0] == 5 && numbers[1] >= 14)
    }()

    /// bubblewrap's options, up to the command.
    func bubblewrapArguments(limits: ResourceLimits) -> [String] {
        var a = ["--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--hostname", "sandbox"]
        if bubblewrapFeatures.disableUserns { a.append("--disable-userns") }
        a += ["--ro-bind", "/usr", "/usr"]
        for top in ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"] {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: top) {
                a += ["--symlink", target, top]
            } else {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: top, isDirectory: &isDirectory), isDirectory.boolValue { a += ["--ro-bind", top, top] }
            }
        }
        a += ["--proc", "/proc", "--dev", "/dev"]
        if bubblewrapFeatures.sizedTmpfs { a += ["--size", String(limits.scratchBytes)] }
        // The root and /dev are bubblewrap's own tmpfs, writable unless remounted: only /tmp
        // (sized) is left writable, so a program cannot fill memory through them.
        a += ["--tmpfs", "/tmp", "--chdir", "/tmp", "--remount-ro", "/dev", "--remount-ro", "/", "--clearenv"]
        for (key, value) in Self.environment(home: "/tmp").sorted(by: { $0.key < $1.key }) { a += ["--setenv", key, value] }
        a += ["--info-fd", "3"]
        return a
    }

    /// The outcome of a finished run.
    static func classify(_ r: ChildProcess.Result, confined: Bool, limits: ResourceLimits) -> ProgramOutcome {
        let stdout = String(decoding: r.stdout, as: UTF8.self)
        let stderr = String(decoding: r.stderr, as: UTF8.self)
        var outcome = ProgramOutcome(kind: .runtimeError, detail: "", exitStatus: r.exitStatus, signal: r.signal,
                                     stdout: stdout, stderr: stderr, seconds: r.seconds)
        let lastLine = stderr.split(separator: "\n", omittingEmptySubsequences: true).last.map { String($0.prefix(300)) } ?? ""
        switch r.killed {
        case .deadline?:
            outcome.kind = .timeout
            outcome.detail = "wall-clock limit of \(limits.wallSeconds) s reached; the process tree was killed"
            return outcome
        case .outputCap?:
            outcome.kind = .outputLimit
            outcome.detail = "stdout and stderr exceeded \(limits.outputBytes) bytes; the process tree was killed"
            return outcome
        case nil:
            break
        }
        if confined, ChildProcess.childPid(fromInfo: r.info) == nil {
            outcome.kind = .sandboxRefused
            outcome.detail = lastLine.isEmpty ? "bubblewrap did not start the program (status \(r.exitStatus.map(String.init) ?? "signal \(r.signal ?? 0)"))" : lastLine
            return outcome
        }
        // bubblewrap exits with the program's status, or 128 + the signal that ended it.
        let signal = r.signal ?? (r.exitStatus.map { $0 > 128 && $0 < 160 ? $0 - 128 : 0 } ?? 0)
        switch r.exitStatus {
        case PythonLauncher.passed?:
            outcome.kind = .passed
        case PythonLauncher.failedAssertion?:
            outcome.kind = .failedAssertion
            outcome.detail = lastLine.isEmpty ? "AssertionError" : lastLine
        case PythonLauncher.syntaxError?:
            outcome.kind = .syntaxError
            outcome.detail = lastLine.isEmpty ? "SyntaxError" : lastLine
        case PythonLauncher.runtimeError?:
            outcome.kind = .runtimeError
            outcome.detail = lastLine.isEmpty ? "the program raised an exception" : lastLine
        case PythonLauncher.memory?:
            outcome.kind = .memory
            outcome.detail = "MemoryError: the address-space limit of \(limits.memoryBytes) bytes was reached"
        default:
            if signal == SIGXCPU || (signal == SIGKILL && r.seconds >= Double(limits.cpuSeconds) * 0.5) {
                outcome.kind = .timeout
                outcome.detail = "CPU time limit of \(limits.cpuSeconds) s reached"
            } else if signal != 0 {
                outcome.kind = .runtimeError
                outcome.detail = "the program was ended by signal \(signal)" + (lastLine.isEmpty ? "" : ": \(lastLine)")
            } else {
                outcome.kind = .runtimeError
                outcome.detail = "the program ended the interpreter itself with status \(r.exitStatus ?? -1) before its tests finished"
            }
        }
        return outcome
    }
}
