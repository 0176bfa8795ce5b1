import Foundation
import TestSupport
import XCTest

/// Runs the `forgetbench` binary built beside the tests.
enum CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var productsDirectory: URL {
        #if os(macOS)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        fatalError("no .xctest bundle")
        #else
        return Bundle.main.bundleURL
        #endif
    }

    static let repositoryRoot = SharedFixtures.repositoryRoot

    /// `../shared` (or `$FORGETBENCH_SHARED`); skips the test when it is absent.
    static func shared() throws -> URL { try SharedFixtures.shared() }

    /// The toy world's base model, `models/toy-base` in the checkout; skips the test when it is absent.
    static func toyBase() throws -> URL {
        let model = repositoryRoot.appendingPathComponent("models/toy-base")
        guard FileManager.default.fileExists(atPath: model.appendingPathComponent("config.json").path) else {
            throw XCTSkip("models/toy-base is not in the checkout")
        }
        return model
    }

    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("forgetbench")
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Starts `forgetbench serve` with `arguments` (`--model ...`) and returns it and its base URL
    /// once it prints its listening line. The caller terminates it.
    static func startServer(_ arguments: [String]) throws -> (process: Process, url: String) {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("forgetbench")
        process.arguments = ["serve"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = ServeCommandTests.LineReader(out.fileHandleForReading)
        guard let line = reader.firstLine(timeout: 120) else {
            process.terminate()
            throw XCTSkip("serve printed no listening line")
        }
        let prefix = "forgetbench serve: listening on "
        XCTAssertTrue(line.hasPrefix(prefix + "http://127.0.0.1:"), line)
        return (process, String(line.dropFirst(prefix.count)))
    }

    /// `forgetbench eval` of stories260K on `tasks`, `limit` items each, over `../shared`'s data,
    /// written to `output`, with `extra` arguments.
    static func evalStories260K(tasks: String, limit: Int, output: URL, extra: [String] = []) throws -> Result {
        let shared = try shared()
        return try run(["eval", "--model", shared.appendingPathComponent("models/stories260K/stories260K.bin").path,
                        "--tasks", tasks, "--limit", "\(limit)", "--data-dir", shared.appendingPathComponent("data").path,
                        "--output", output.path] + extra)
    }

    /// The JSON objects of a JSON Lines file, one a line; fails the test at a line that is not an object.
    static func jsonLines(_ url: URL) throws -> [[String: Any]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// `forgetbench tasks training-set TASK --limit LIMIT` on `../shared`'s data, written to
    /// `output`: the test fails if it exits non-zero. Returns the records it wrote.
    static func trainingSet(_ task: String, limit: Int, output: URL, file: StaticString = #filePath, line: UInt = #line) throws -> [[String: Any]] {
        let r = try run(["tasks", "training-set", task, "--limit", "\(limit)", "--data-dir", shared().appendingPathComponent("data").path,
                         "--output", output.path])
        XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
        return try jsonLines(output)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("forgetbench-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
