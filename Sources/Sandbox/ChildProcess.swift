import CSandboxSupport
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One spawned process with its standard streams, run to completion on the calling thread: the
/// program goes in on stdin (a socket, so a reader that is gone gives an error, not SIGPIPE),
/// stdout and stderr are read as they come, up to a cap, and the process is killed at the
/// deadline or when the cap is exceeded.
struct ChildProcess {
    /// Why the supervisor killed the process.
    enum KillReason: Equatable {
        case deadline
        case outputCap
    }

    /// What came back.
    struct Result {
        var exitStatus: Int32?
        var signal: Int32?
        var stdout: [UInt8]
        var stderr: [UInt8]
        /// What bubblewrap wrote on its info descriptor (JSON with `child-pid`), when asked.
        var info: [UInt8]
        var killed: KillReason?
        var seconds: Double
    }

    var executable: String
    var arguments: [String]
    var environment: [String: String]
    var directory: String?
    var newSession: Bool
    /// Ask for an info descriptor as fd 3 (bubblewrap's `--info-fd 3`).
    var infoDescriptor: Bool

    /// Spawns, feeds `input`, supervises and reaps.
    /// - Parameters:
    ///   - wallSeconds: the deadline from spawn.
    ///   - outputCap: bytes of stdout + stderr kept; one more byte kills the process.
    /// - Throws: `SpawnError` when the process could not be started (nothing is left running).
    func run(input: [UInt8], wallSeconds: Double, outputCap: Int) throws(SpawnError) -> Result {
        var input = input
        var toChild: [Int32] = [-1, -1]
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        var infoPipe: [Int32] = [-1, -1]
        var opened: [Int32] = []
        func closeAll() { for fd in opened where fd >= 0 { close(fd) } }
        var code = csandbox_socketpair(&toChild)
        if code == 0 { opened += toChild; code = csandbox_pipe(&outPipe) }
        if code == 0 { opened += outPipe; code = csandbox_pipe(&errPipe) }
        if code == 0 { opened += errPipe; if infoDescriptor { code = csandbox_pipe(&infoPipe); if code == 0 { opened += infoPipe } } }
        if code != 0 { closeAll(); throw SpawnError(errno: code, what: "creating pipes") }

        var childFDs: [Int32] = [toChild[1], outPipe[1], errPipe[1]]
        if infoDescriptor { childFDs.append(infoPipe[1]) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv { free(p) }; for p in envp { free(p) } }
        var pid: pid_t = 0
        let started = DispatchTime.now().uptimeNanoseconds
        code = childFDs.withUnsafeBufferPointer { fds in
            argv.withUnsafeBufferPointer { a in
                envp.withUnsafeBufferPointer { e in
                    if let directory {
                        return directory.withCString { d in
                            csandbox_spawn(executable, a.baseAddress!, e.baseAddress!, fds.baseAddress!, Int32(fds.count), d, newSession ? 1 : 0, &pid)
                        }
                    }
                    return csandbox_spawn(executable, a.baseAddress!, e.baseAddress!, fds.baseAddress!, Int32(fds.count), nil, newSession ? 1 : 0, &pid)
                }
            }
        }
        // The child's ends belong to the child now.
        for fd in childFDs { close(fd) }
        if code != 0 {
            for fd in [toChild[0], outPipe[0], errPipe[0], infoPipe[0]] where fd >= 0 { close(fd) }
            throw SpawnError(errno: code, what: "starting \(executable)")
        }

        var stdinFD: Int32 = toChild[0], stdoutFD = outPipe[0], stderrFD = errPipe[0], infoFD = infoDescriptor ? infoPipe[0] : -1
        for fd in [stdinFD, stdoutFD, stderrFD, infoFD] where fd >= 0 { _ = csandbox_set_nonblocking(fd) }
        var written = 0
        if input.isEmpty { shutdown(stdinFD, Int32(SHUT_WR)); close(stdinFD); stdinFD = -1 }

        var outBytes: [UInt8] = [], errBytes: [UInt8] = [], infoBytes: [UInt8] = []
        var killed: KillReason?
        var reaped = false
        var status: Int32 = 0
        let deadline = started + UInt64(wallSeconds * 1e9)
        var buffer = [UInt8](repeating: 0, count: 65536)
        var total = 0
        var childPid: pid_t?

        func terminate(_ reason: KillReason) {
            guard killed == nil else { return }
            killed = reason
            // Killing the sandbox's init (PID 1 of its namespace) kills everything inside, and
            // bubblewrap exits once the namespace is empty; killing a session kills its group.
            if let childPid { kill(childPid, SIGKILL) }
            if newSession { kill(-pid, SIGKILL) }
            if childPid == nil { kill(pid, SIGKILL) }
        }

        func readInfo() {
            guard infoFD >= 0 else { return }
            while true {
                let n = read(infoFD, &buffer, buffer.count)
                if n > 0 { infoBytes += buffer[0 ..< n]; continue }
                if n == 0 || (errno != EAGAIN && errno != EINTR) { close(infoFD); infoFD = -1 }
                break
            }
            if childPid == nil, let parsed = Self.childPid(fromInfo: infoBytes) {
                childPid = parsed
                if killed != nil { kill(parsed, SIGKILL) }
            }
        }

        /// Reads what is there, closing `fd` at end of file.
        func drain(_ fd: inout Int32, into keep: inout [UInt8]) {
            while fd >= 0 {
                let n = read(fd, &buffer, buffer.count)
                if n > 0 {
                    total += n
                    let room = max(0, outputCap - keep.count)
                    if room > 0 { keep += buffer[0 ..< min(n, room)] }
                    if total > outputCap {
                        terminate(.outputCap)
                        close(fd); fd = -1
                    }
                    continue
                }
                if n == 0 || (errno != EAGAIN && errno != EINTR) { close(fd); fd = -1 }
                return
            }
        }

        var idleSleep: Int32 = 1
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            if now >= deadline, killed == nil { terminate(.deadline) }
            if killed != nil {
                // Output no longer matters: stop reading (the streams close when the tree is gone).
                for fd in [stdoutFD, stderrFD] where fd >= 0 { close(fd) }
                stdoutFD = -1; stderrFD = -1
                if stdinFD >= 0 { close(stdinFD); stdinFD = -1 }
            }
            if !reaped {
                let r = waitpid(pid, &status, WNOHANG)
                if r == pid { reaped = true }
            }
            if reaped {
                // Collect what is still buffered; the tree is gone, so every stream ends. Without a
                // sandbox, whatever is left of the program's process group goes now.
                if newSession { kill(-pid, SIGKILL) }
                readInfo()
                drain(&stdoutFD, into: &outBytes)
                drain(&stderrFD, into: &errBytes)
                if stdoutFD < 0 && stderrFD < 0 { break }
                if DispatchTime.now().uptimeNanoseconds > deadline + 2_000_000_000 { break }
            }
            var fds: [pollfd] = []
            if stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
            if stdoutFD >= 0 { fds.append(pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)) }
            if stderrFD >= 0 { fds.append(pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)) }
            if infoFD >= 0 { fds.append(pollfd(fd: infoFD, events: Int16(POLLIN), revents: 0)) }
            // Streams still open: wait on them (bounded by the deadline). Streams closed but the
            // process not yet reaped: poll its exit with short sleeps.
            let untilDeadline = deadline > now ? Int32(min(1000, (deadline - now) / 1_000_000 + 1)) : 10
            let waitMs: Int32
            if stdoutFD < 0 && stderrFD < 0 {
                waitMs = min(idleSleep, untilDeadline)
                idleSleep = min(idleSleep * 2, 20)
            } else {
                waitMs = killed != nil || reaped ? 10 : untilDeadline
            }
            if fds.isEmpty {
                usleep(UInt32(waitMs) * 1000)
                continue
            }
            let ready = poll(&fds, nfds_t(fds.count), waitMs)
            if ready <= 0 { continue }
            for p in fds where p.revents != 0 {
                if p.fd == stdinFD {
                    if p.revents & Int16(POLLOUT) != 0 {
                        let n = input.withUnsafeBytes { raw in
                            csandbox_send(stdinFD, raw.baseAddress! + written, UInt(input.count - written))
                        }
                        if n > 0 { written += n }
                        if (n < 0 && errno != EAGAIN && errno != EINTR) || written == input.count {
                            shutdown(stdinFD, Int32(SHUT_WR))
                            close(stdinFD); stdinFD = -1
                            input = []
                        }
                    } else {
                        close(stdinFD); stdinFD = -1
                    }
                } else if p.fd == stdoutFD {
                    drain(&stdoutFD, into: &outBytes)
                } else if p.fd == stderrFD {
                    drain(&stderrFD, into: &errBytes)
                } else if p.fd == infoFD {
                    readInfo()
                }
            }
        }
        if !reaped {
            // Only when the streams outlived the deadline by 2 s: the kill has been sent; wait.
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        // bubblewrap may exit before the namespace's init has: the init, orphaned, is then our
        // child (we are a subreaper) and is reaped here, so that nothing is left when we return.
        // Without a sandbox, every process of the program's group goes the same way.
        var ignored: Int32 = 0
        if let childPid {
            while waitpid(childPid, &ignored, 0) < 0 && errno == EINTR {}
        }
        if newSession {
            kill(-pid, SIGKILL)
            while waitpid(-pid, &ignored, 0) > 0 || errno == EINTR {}
        }
        for fd in [stdinFD, stdoutFD, stderrFD, infoFD] where fd >= 0 { close(fd) }
        var result = Result(exitStatus: nil, signal: nil, stdout: outBytes, stderr: errBytes, info: infoBytes, killed: killed, seconds: 0)
        if Self.exited(status) { result.exitStatus = Self.exitCode(status) } else { result.signal = Self.termSignal(status) }
        result.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return result
    }

    /// The `child-pid` member of bubblewrap's info JSON, once the whole object has arrived.
    static func childPid(fromInfo bytes: [UInt8]) -> pid_t? {
        guard bytes.contains(UInt8(ascii: "}")),
              let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let pid = object["child-pid"] as? Int, pid > 0 else { return nil }
        return pid_t(pid)
    }

    static func exited(_ status: Int32) -> Bool { status & 0x7f == 0 }
    static func exitCode(_ status: Int32) -> Int32 { (status >> 8) & 0xff }
    static func termSignal(_ status: Int32) -> Int32 { status & 0x7f }
}

/// A process that could not be started.
struct SpawnError: Error, CustomStringConvertible {
    var errno: Int32
    var what: String
    var description: String { "\(what): \(String(cString: strerror(errno)))" }
}
