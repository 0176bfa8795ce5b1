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
}
