import Foundation
@testable import Sandbox
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Programs that try to harm the machine, escape or read what they should not. Each is scored
/// failed with its reason, and leaves no process, file or directory behind.
final class HostileProgramTests: XCTestCase {
    func testInfiniteLoopTimesOut() throws {
        let sandbox = try makeSandbox()
        let outcome = sandbox.run("while True:\n    pass\n")
        XCTAssertEqual(outcome.kind, .timeout, outcome.detail)
        XCTAssertLessThan(outcome.seconds, 1.5 + 1.5)
        assertNothingLeft(sandbox)
    }

    func testCPULimitEndsABusyProgramBeforeTheWallClock() throws {
        let sandbox = try makeSandbox(wallSeconds: 20, cpuSeconds: 1)
        let outcome = sandbox.run("while True:\n    pass\n")
        XCTAssertEqual(outcome.kind, .timeout, outcome.detail)
        XCTAssertTrue(outcome.detail.contains("CPU"), outcome.detail)
        XCTAssertLessThan(outcome.seconds, 10)
        assertNothingLeft(sandbox)
    }

    func testSleepingPastTheDeadlineTimesOut() throws {
        let sandbox = try makeSandbox()
        let outcome = sandbox.run("import time\ntime.sleep(60)\n")
        XCTAssertEqual(outcome.kind, .timeout, outcome.detail)
        XCTAssertLessThan(outcome.seconds, 3)
        assertNothingLeft(sandbox)
    }

    /// A fork bomb hits the process limit, is killed at the deadline with every child, and a
    /// program running beside it in another worker is unaffected.
    func testForkBombIsContainedAndOtherWorkersGoOn() async throws {
        let sandbox = try makeSandbox(workers: 2)
        let bomb = """
        import os
        forks = 0
        while True:
            try:
                if os.fork() == 0:
                    forks = 0
                else:
                    forks += 1
            except OSError:
                pass
        """
        let neighbour = "import time\ntime.sleep(0.3)\nassert sum(range(100)) == 4950\n"
        let outcomes = await sandbox.run([bomb, neighbour, neighbour, neighbour])
        XCTAssertEqual(outcomes[0].kind, .timeout, outcomes[0].detail)
        XCTAssertEqual(outcomes[1...].map(\.kind), [.passed, .passed, .passed], outcomes.map(\.detail).description)
        assertNothingLeft(sandbox)
    }

    /// The process limit holds: a program counts how many children it can start.
    func testProcessLimitHolds() throws {
        let sandbox = try makeSandbox()
        let outcome = sandbox.run("""
        import os, time
        started = 0
        for _ in range(200):
            try:
                if os.fork() == 0:
                    time.sleep(5)
                    os._exit(0)
                started += 1
            except OSError:
                break
        assert started > 100, started
        """)
        XCTAssertEqual(outcome.kind, .failedAssertion, outcome.detail)
        let started = Int(outcome.detail.split(separator: " ").last ?? "") ?? -1
        XCTAssertLessThanOrEqual(started, sandbox.configuration.limits.processes, outcome.detail)
        XCTAssertGreaterThan(started, 0, "a few processes are allowed: \(outcome.detail)")
        assertNothingLeft(sandbox)
    }

    func testAllocatingTenGigabytesIsAMemoryOutcome() throws {
        // Zero-filling 512 MiB of pages takes seconds on a loaded machine: a longer deadline.
        let sandbox = try makeSandbox(wallSeconds: 15)
        for program in ["x = bytearray(10 * 1024 ** 3)\n", "chunks = []\nwhile True:\n    chunks.append(bytearray(64 << 20))\n"] {
            let outcome = sandbox.run(program)
            XCTAssertEqual(outcome.kind, .memory, "\(program): \(outcome.detail)")
        }
        assertNothingLeft(sandbox)
    }

    /// Writes to the host's directories, the repository and ../shared fail; writing its own
    /// working directory works and leaves nothing on the host.
    func testWritingOutsideItsDirectoryFails() async throws {
        let sandbox = try makeSandbox(workers: 4)
        let repoFile = SandboxPaths.repository.appendingPathComponent("sandbox-escape-\(UUID().uuidString).txt").path
        let sharedFile = SandboxPaths.shared.appendingPathComponent("sandbox-escape.txt").path
        let targets = [repoFile, sharedFile, "/usr/sandbox-escape.txt", "/sandbox-escape.txt", "/dev/sandbox-escape.txt", "/proc/sys/kernel/hostname", NSTemporaryDirectory() + "/../sandbox-escape.txt"]
        let programs = targets.map { "open(\(pythonString($0)), 'w').write('escaped')\n" }
        let outcomes = await sandbox.run(programs + ["open('own.txt', 'w').write('x' * 1000)\nimport os\nassert os.path.getsize('own.txt') == 1000\n"])
        for (target, outcome) in zip(targets, outcomes) {
            XCTAssertEqual(outcome.kind, .runtimeError, "\(target): \(outcome.detail)")
            XCTAssertTrue(outcome.detail.contains("Error"), "\(target): \(outcome.detail)")
        }
        XCTAssertEqual(outcomes.last?.kind, .passed, outcomes.last?.stderr ?? "")
        for target in [repoFile, sharedFile, "/usr/sandbox-escape.txt", "/sandbox-escape.txt"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: target), target)
        }
        var name = utsname()
        uname(&name)
        XCTAssertNotEqual(withUnsafeBytes(of: name.nodename) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }, "escaped")
        assertNothingLeft(sandbox)
    }

    /// A file larger than the file-size limit cannot be written.
    func testFileSizeLimit() throws {
        let sandbox = try makeSandbox()
        let outcome = sandbox.run("with open('big', 'wb') as f:\n    f.write(b'x' * (64 << 20))\n")
        XCTAssertEqual(outcome.kind, .runtimeError, outcome.detail)
        XCTAssertTrue(outcome.detail.contains("File too large") || outcome.detail.contains("No space"), outcome.detail)
    }

    /// Loopback is the sandbox's own (a listener on the host's 127.0.0.1 is not reachable), and
    /// there is no route out (192.0.2.1 is TEST-NET-1: nothing is sent anywhere either way).
    func testSocketsReachNothing() async throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        let sandbox = try makeSandbox(workers: 2)
        let connect = { (host: String, port: Int) in
            "import socket\ns = socket.socket()\ns.settimeout(1)\ns.connect((\(pythonString(host)), \(port)))\n"
        }
        let outcomes = await sandbox.run([connect("127.0.0.1", listener.port), connect("192.0.2.1", 80)])
        XCTAssertEqual(outcomes[0].kind, .runtimeError, outcomes[0].detail)
        XCTAssertTrue(outcomes[0].detail.contains("ConnectionRefusedError"), outcomes[0].detail)
        XCTAssertEqual(outcomes[1].kind, .runtimeError, outcomes[1].detail)
        XCTAssertTrue(outcomes[1].detail.contains("unreachable"), outcomes[1].detail)
        XCTAssertFalse(listener.hadConnection(), "the host's listener was reached")
        assertNothingLeft(sandbox)
    }

    /// A variable of the parent (a fake secret) is not in the program's environment, nor in what
    /// it can read of its own process.
    func testParentEnvironmentDoesNotLeak() throws {
        let secret = "sk-fake-\(UUID().uuidString)"
        setenv("FORGETBENCH_FAKE_SECRET", secret, 1)
        defer { unsetenv("FORGETBENCH_FAKE_SECRET") }
        let sandbox = try makeSandbox()
        let direct = sandbox.run("import os\nprint(os.environ['FORGETBENCH_FAKE_SECRET'])\n")
        XCTAssertEqual(direct.kind, .runtimeError, direct.detail)
        XCTAssertTrue(direct.detail.contains("KeyError"), direct.detail)
        let dump = sandbox.run("""
        import os
        print(dict(os.environ))
        print(open('/proc/self/environ', 'rb').read())
        print(open('/proc/1/environ', 'rb').read())
        assert 'FORGETBENCH_FAKE_SECRET' in str(dict(os.environ))
        """)
        XCTAssertNotEqual(dump.kind, .passed)
        XCTAssertFalse(dump.stdout.contains(secret) || dump.stderr.contains(secret))
        assertNothingLeft(sandbox)
    }

    /// /etc/shadow and the repository's files are not there.
    func testHostFilesAreNotReadable() async throws {
        let sandbox = try makeSandbox(workers: 2)
        let package = SandboxPaths.repository.appendingPathComponent("Package.swift").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: package))
        let outcomes = await sandbox.run([
            "print(open('/etc/shadow').read())\n",
            "print(open(\(pythonString(package))).read())\n",
            "import os\nprint(os.listdir(\(pythonString(SandboxPaths.repository.path))))\n",
        ])
        for outcome in outcomes {
            XCTAssertEqual(outcome.kind, .runtimeError, outcome.detail)
            XCTAssertTrue(outcome.detail.contains("FileNotFoundError"), outcome.detail)
        }
        assertNothingLeft(sandbox)
    }

    /// Printing a gigabyte stops at the output cap, quickly.
    func testPrintingAGigabyteHitsTheOutputCap() throws {
        let sandbox = try makeSandbox(wallSeconds: 30, outputBytes: 1 << 20)
        let outcome = sandbox.run("import sys\nchunk = 'x' * (1 << 20)\nfor _ in range(1024):\n    sys.stdout.write(chunk)\n")
        XCTAssertEqual(outcome.kind, .outputLimit, outcome.detail)
        XCTAssertEqual(outcome.stdout.utf8.count, 1 << 20, "the first megabyte is kept")
        XCTAssertLessThan(outcome.seconds, 10)
        assertNothingLeft(sandbox)
    }

    /// Signalling every pid it can name reaches only its own namespace: the program dies by its
    /// own hand, and this process and a program beside it go on.
    func testKillingEveryProcessReachesOnlyTheSandbox() async throws {
        let sandbox = try makeSandbox(workers: 2)
        let killer = "import os\nprint(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()), flush=True)\nfor pid in list(range(2, 100000)) + [1]:\n    try:\n        os.kill(pid, 9)\n    except OSError:\n        pass\n"
        let neighbour = "import time\ntime.sleep(0.5)\nassert 2 + 2 == 4\n"
        let outcomes = await sandbox.run([killer, neighbour])
        XCTAssertEqual(outcomes[0].kind, .runtimeError, outcomes[0].detail)
        XCTAssertTrue(outcomes[0].detail.contains("signal 9"), outcomes[0].detail)
        XCTAssertEqual(outcomes[0].stdout, "[1, 2]\n", "only the namespace's init and the program are visible")
        XCTAssertEqual(outcomes[1].kind, .passed, outcomes[1].detail)
        assertNothingLeft(sandbox)
    }

    /// A daemon that detaches from the program (a double fork in a new session) dies with it.
    func testDetachedChildrenDieWithTheProgram() throws {
        let sandbox = try makeSandbox(wallSeconds: 5)
        let outcome = sandbox.run("""
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.close(1)
                os.close(2)
                time.sleep(60)
            os._exit(0)
        print('parent done')
        """)
        XCTAssertEqual(outcome.kind, .passed, outcome.detail)
        XCTAssertLessThan(outcome.seconds, 4)
        assertNothingLeft(sandbox)
    }
}

/// A Python string literal for `text`.
func pythonString(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
}

/// A TCP listener on the host's 127.0.0.1, on a free port.
final class LoopbackListener {
    let fd: Int32
    let port: Int

    init() throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 8) == 0 else { throw XCTSkip("cannot listen on 127.0.0.1") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// Whether a connection is waiting to be accepted.
    func hadConnection() -> Bool {
        let client = accept(fd, nil, nil)
        if client >= 0 { closeDescriptor(client); return true }
        return false
    }

    func close() { closeDescriptor(fd) }
}

/// `close(2)`, by a name that a method called `close` does not hide.
func closeDescriptor(_ fd: Int32) { _ = close(fd) }
