import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `forgetbench serve` runs the separate `forgetbench-serve` program, so that the HTTP server's
/// dependencies (Hummingbird, SwiftNIO) stay out of the `forgetbench` binary and of the build the
/// quickstart waits for. The command line stays the same: `forgetbench serve ARGS` replaces this
/// process with `forgetbench-serve ARGS` (found beside this binary, else on `PATH`), so its output,
/// signals and exit code are the server's own.
enum ServeLauncher {
    static let programName = "forgetbench-serve"

    /// Execs `forgetbench-serve` when `arguments` (the whole command line) is `forgetbench serve ...`
    /// or `forgetbench help serve`; returns otherwise. Exits 1 with one error line when the program
    /// is missing or cannot be run.
    static func execIfServe(_ arguments: [String]) {
        guard arguments.count >= 2 else { return }
        let forwarded: [String]
        if arguments[1] == "serve" {
            forwarded = Array(arguments.dropFirst(2))
        } else if arguments[1] == "help", arguments.count >= 3, arguments[2] == "serve" {
            forwarded = ["--help"]
        } else {
            return
        }
        guard let path = programPath() else {
            fail("forgetbench serve runs the \(programName) program, which is neither beside \(executableDirectory()?.path ?? "forgetbench") nor on PATH; build it with: swift build -c release --product \(programName)")
        }
        let argv = ([path] + forwarded).map { strdup($0) } + [nil]
        execv(path, argv)
        fail("cannot run \(path): \(String(cString: strerror(errno)))")
    }

    /// `forgetbench-serve` beside the running binary, else the first on `PATH`.
    static func programPath() -> String? {
        if let directory = executableDirectory() {
            let beside = directory.appendingPathComponent(programName).path
            if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(programName).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The directory of the running binary, symbolic links resolved.
    static func executableDirectory() -> URL? {
        guard let path = Bundle.main.executablePath else { return nil }
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        exit(1)
    }
}

/// The `serve` entry of `forgetbench --help`. `forgetbench serve` never parses here: main hands the
/// command line to `forgetbench-serve` first (``ServeLauncher``).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model through an OpenAI-compatible HTTP API (/v1/completions, /v1/chat/completions, /v1/models).",
        discussion: "Runs the forgetbench-serve program (built with forgetbench; alone: swift build -c release --product forgetbench-serve). Its options: forgetbench serve --help."
    )

    @Argument(parsing: .captureForPassthrough, help: "The server's options (forgetbench serve --help lists them).")
    var arguments: [String] = []

    func run() throws {
        ServeLauncher.execIfServe(["forgetbench", "serve"] + arguments)
    }
}
