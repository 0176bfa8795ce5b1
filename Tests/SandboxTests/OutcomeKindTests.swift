import Foundation
@testable import Sandbox
import XCTest

/// Each outcome kind from a program written to produce it.
final class OutcomeKindTests: XCTestCase {
    func testEachOutcomeKind() async throws {
        let sandbox = try makeSandbox(workers: 4)
        let cases: [(String, OutcomeKind, String)] = [
            ("def f(x):\n    return x + 1\nassert f(1) == 2\nprint('fine')\n", .passed, ""),
            ("def f(x):\n    return x\nassert f(1) == 2\n", .failedAssertion, "AssertionError"),
            ("def f(x)\n    return x\n", .syntaxError, "SyntaxError"),
            ("def f(x):\n  return x\n   y = 2\n", .syntaxError, "IndentationError"),
            ("print(undefined_name)\n", .runtimeError, "NameError: name 'undefined_name' is not defined"),
            ("import sys\nsys.exit(0)\n", .runtimeError, "SystemExit"),
            ("import os\nos._exit(0)\n", .runtimeError, "status 0"),
            ("x = bytearray(10 * 1024 ** 3)\n", .memory, "MemoryError"),
            ("def r(n):\n    return r(n + 1)\nr(0)\n", .runtimeError, "RecursionError"),
            ("import sys\nprint(sys.stdin.read() == '')\n", .passed, ""),
        ]
        let outcomes = await sandbox.run(cases.map(\.0))
        for ((source, kind, detail), outcome) in zip(cases, outcomes) {
            XCTAssertEqual(outcome.kind, kind, "\(source): \(outcome.detail) / \(outcome.stderr)")
            if !detail.isEmpty { XCTAssertTrue(outcome.detail.contains(detail), "\(source): '\(outcome.detail)' lacks '\(detail)'") }
        }
        XCTAssertEqual(outcomes[0].stdout, "fine\n")
        XCTAssertEqual(outcomes[9].stdout, "True\n", "stdin is empty once the program is read")
        assertNothingLeft(sandbox)
    }

    /// The environment is the sandbox's own, hash randomisation is off (set iteration is the same
    /// in every run), and only /usr, /dev, /proc and the working directory are there.
    func testEnvironmentAndFileSystemView() throws {
        let sandbox = try makeSandbox()
        let program = """
        import os, sys
        print(sorted(os.environ))
        print(os.getcwd(), sorted(os.listdir('/')))
        print(hash('forgetbench'))
        print(os.path.exists('/etc'), os.path.exists('/home'), os.path.exists('/root'))
        import socket
        print([name for _, name in socket.if_nameindex()], os.getuid() != 0)
        """
        let first = sandbox.run(program)
        let second = sandbox.run(program)
        XCTAssertEqual(first.kind, .passed, first.stderr)
        let lines = first.stdout.split(separator: "\n").map(String.init)
        // Ours, and PWD, which bubblewrap sets with the working directory.
        XCTAssertEqual(lines[0], "['HOME', 'LANG', 'PATH', 'PWD', 'PYTHONDONTWRITEBYTECODE', 'PYTHONHASHSEED', 'PYTHONUTF8', 'TMPDIR']")
        XCTAssertTrue(lines[1].hasPrefix("/tmp ["), lines[1])
        for entry in ["'etc'", "'home'", "'root'", "'work'", "'var'"] { XCTAssertFalse(lines[1].contains(entry), lines[1]) }
        XCTAssertEqual(lines[3], "False False False")
        XCTAssertEqual(lines[4], "['lo'] True", "loopback is the only network interface; the program is not root")
        XCTAssertEqual(first.stdout, second.stdout, "hashing is deterministic")
    }

    /// Where bubblewrap cannot run, the sandbox refuses with one error naming the fix and the flag.
    func testRefusesWithTheFixWhenBubblewrapIsMissingOrFails() throws {
        for bwrap in ["/nonexistent/bwrap", "/usr/bin/false"] {
            let sandbox = try Sandbox(configuration: SandboxConfiguration(workers: 1, bubblewrap: bwrap))
            XCTAssertThrowsError(try sandbox.checkAvailable(), bwrap) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("apt-get install bubblewrap"), text)
                XCTAssertTrue(text.contains(SandboxError.unconfinedFlag), text)
                XCTAssertFalse(text.contains("\n"), "one line")
            }
            let outcome = sandbox.run("print(1)")
            XCTAssertEqual(outcome.kind, .sandboxRefused)
        }
    }

    func testRejectsOutOfRangeSettings() {
        XCTAssertThrowsError(try Sandbox(configuration: SandboxConfiguration(workers: 0)))
        XCTAssertThrowsError(try Sandbox(configuration: SandboxConfiguration(limits: ResourceLimits(wallSeconds: 0))))
        XCTAssertThrowsError(try Sandbox(configuration: SandboxConfiguration(interpreter: "/opt/python/bin/python3")))
        XCTAssertThrowsError(try Sandbox(configuration: SandboxConfiguration(label: "a b")))
    }

    /// Unconfined (at the user's request), the same launcher, limits and deadline apply, and its
    /// temporary working directory is removed.
    func testUnconfinedModeKeepsLimitsAndCleansUp() async throws {
        let sandbox = try makeSandbox(confinement: .unconfined)
        let label = sandbox.configuration.label
        let outcomes = await sandbox.run([
            "import os\nopen('scratch.txt', 'w').write('x')\nassert os.environ.get('HOME') == os.getcwd()\n",
            "while True:\n    pass\n",
            "x = bytearray(10 * 1024 ** 3)\n",
            "import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', '\(label)'])\ntime.sleep(60)\n",
        ])
        XCTAssertEqual(outcomes.map(\.kind), [.passed, .timeout, .memory, .timeout], outcomes.map(\.detail).description)
        assertNothingLeft(sandbox)
    }
}
