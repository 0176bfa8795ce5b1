import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// `forgetbench serve` as a user starts it: the listening line, one request, then SIGTERM.
final class ServeCommandTests: XCTestCase {
    /// Reads stdout lines from a pipe on a background thread.
    final class LineReader: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        private var buffer = Data()

        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    lock.lock()
                    buffer += data
                    while let newline = buffer.firstIndex(of: 0x0A) {
                        lines.append(String(decoding: buffer[buffer.startIndex ..< newline], as: UTF8.self))
                        buffer = Data(buffer[(newline + 1)...])
                    }
                    lock.unlock()
                }
            }
        }

        func all() -> [String] { lock.lock(); defer { lock.unlock() }; return lines }

        /// The first line, waiting up to `timeout` seconds.
        func firstLine(timeout: TimeInterval) -> String? {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if let first = all().first { return first }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return nil
        }
    }

    func testServeListensOnLoopbackAndAnswers() async throws {
        let model = try CLI.shared().appendingPathComponent("models/stories260K/stories260K.bin").path
        let process = Process()
        process.executableURL = CLI.productsDirectory.appendingPathComponent("forgetbench")
        process.arguments = ["serve", "--model", model, "--port", "0"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        defer {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
        let reader = LineReader(out.fileHandleForReading)
        let line = try XCTUnwrap(reader.firstLine(timeout: 60), "no listening line")
        let prefix = "forgetbench serve: listening on http://127.0.0.1:"
        XCTAssertTrue(line.hasPrefix(prefix), line)
        XCTAssertTrue(line.hasSuffix("/v1"), line)
        let port = try XCTUnwrap(Int(line.dropFirst(prefix.count).dropLast(3)), line)
        XCTAssertGreaterThan(port, 0)
        let base = "http://127.0.0.1:\(port)/v1"

        let (modelsData, modelsResponse) = try await URLSession.shared.data(from: URL(string: base + "/models")!)
        XCTAssertEqual((modelsResponse as? HTTPURLResponse)?.statusCode, 200)
        let models = try XCTUnwrap(JSONSerialization.jsonObject(with: modelsData) as? [String: Any])
        XCTAssertEqual(((models["data"] as? [[String: Any]])?.first)?["id"] as? String, "stories260K")

        var request = URLRequest(url: URL(string: base + "/completions")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"model": "stories260K", "prompt": "Once upon a time", "max_tokens": 8, "temperature": 0}"#.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200, String(decoding: data, as: UTF8.self))
        let body = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let text = try XCTUnwrap(((body["choices"] as? [[String: Any]])?.first)?["text"] as? String)
        let generate = try CLI.run(["generate", "--model", model, "--prompt", "Once upon a time", "--max-tokens", "8", "--temperature", "0"])
        XCTAssertEqual(text + "\n", generate.stdout)

        // A second server on the same port fails with one line.
        let busy = try CLI.run(["serve", "--model", model, "--port", "\(port)"])
        XCTAssertEqual(busy.status, 1)
        XCTAssertEqual(busy.stderr.split(separator: "\n").count, 1, busy.stderr)
        XCTAssertTrue(busy.stderr.hasPrefix("error: cannot serve on 127.0.0.1:\(port)"), busy.stderr)

        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(reader.all().count, 1, "exactly one stdout line: \(reader.all())")
    }

    func testServeRejectsABadPort() throws {
        let r = try CLI.run(["serve", "--model", "nowhere.bin", "--port", "70000"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("--port"), r.stderr)
    }

    func testHelpServeShowsTheServersOwnOptions() throws {
        for arguments in [["help", "serve"], ["serve", "--help"]] {
            let r = try CLI.run(arguments)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("forgetbench serve"), r.stdout)
            XCTAssertTrue(r.stdout.contains("--kv-cache-tokens") && r.stdout.contains("--max-request-bytes"), r.stdout)
        }
        let top = try CLI.run(["--help"])
        XCTAssertTrue(top.stdout.contains("serve"), top.stdout)
    }

    /// `forgetbench` alone (the quickstart builds only it) says how to build the server.
    func testServeWithoutTheServerProgramSaysHowToBuildIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("forgetbench-alone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let alone = directory.appendingPathComponent("forgetbench")
        try FileManager.default.copyItem(at: CLI.productsDirectory.appendingPathComponent("forgetbench"), to: alone)
        let process = Process()
        process.executableURL = alone
        process.arguments = ["serve", "--model", "x.bin"]
        process.environment = ["PATH": directory.path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1)
        XCTAssertEqual(message.split(separator: "\n").count, 1, message)
        XCTAssertTrue(message.hasPrefix("error: forgetbench serve runs the forgetbench-serve program"), message)
        XCTAssertTrue(message.contains("swift build -c release --product forgetbench-serve"), message)
    }
}
