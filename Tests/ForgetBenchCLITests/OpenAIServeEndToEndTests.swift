import Foundation
import XCTest

/// `forgetbench eval --model openai:URL` against `forgetbench serve` (both real binaries on
/// loopback) equals the in-process engine, whatever the concurrency; and a server that goes away
/// stops the run with a clear error, after which a rerun finishes from the cache.
final class OpenAIServeEndToEndTests: XCTestCase {
    var work: URL!
    var servers: [Process] = []

    override func setUpWithError() throws { work = try CLI.temporaryDirectory() }
    override func tearDownWithError() throws {
        for s in servers where s.isRunning { s.terminate(); s.waitUntilExit() }
        try? FileManager.default.removeItem(at: work)
    }

    func stories() throws -> String { try CLI.shared().appendingPathComponent("models/stories260K/stories260K.bin").path }
    func dataDir() throws -> String { try CLI.shared().appendingPathComponent("data").path }

    /// Starts `serve` on `port` (0: any) and returns its base URL.
    func startServer(port: Int = 0) throws -> (process: Process, url: String) {
        let server = try CLI.startServer(["--model", try stories(), "--port", "\(port)"])
        servers.append(server.process)
        return server
    }

    func samples(_ dir: URL, _ task: String) throws -> [[String: Any]] {
        try String(contentsOf: dir.appendingPathComponent("samples/\(task).jsonl"), encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    func loglikelihoods(_ sample: [String: Any]) -> [Double] {
        let response = sample["response"] as? [String: Any]
        return (response?["choices"] as? [[String: Any]] ?? []).compactMap { ($0["logLikelihood"] as? NSNumber)?.doubleValue }
    }

    func generation(_ sample: [String: Any]) -> String? {
        ((sample["response"] as? [String: Any])?["generation"] as? [String: Any])?["text"] as? String
    }

    func testBackendThroughServeEqualsInProcessAtConcurrency1And16() throws {
        let server = try startServer()
        let tasks = ["--tasks", "arc_easy,gsm8k", "--limit", "12", "--data-dir", try dataDir()]
        let local = work.appendingPathComponent("local")
        let r0 = try CLI.run(["eval", "--model", try stories(), "--output", local.path] + tasks)
        XCTAssertEqual(r0.status, 0, r0.stderr)
        for concurrency in [1, 16] {
            let remote = work.appendingPathComponent("remote-\(concurrency)")
            let r = try CLI.run(["eval", "--model", "openai:\(server.url)", "--model-name", "stories260K", "--truncate-prompts",
                                 "--concurrency", "\(concurrency)", "--eval-batch-size", concurrency == 16 ? "4" : "1", "--output", remote.path] + tasks)
            XCTAssertEqual(r.status, 0, r.stderr)
            let (a, b) = (try samples(local, "arc_easy"), try samples(remote, "arc_easy"))
            XCTAssertEqual(a.count, 12)
            XCTAssertEqual(a.count, b.count)
            var largest = 0.0
            for (x, y) in zip(a, b) {
                XCTAssertEqual(x["id"] as? String, y["id"] as? String)
                let (lx, ly) = (loglikelihoods(x), loglikelihoods(y))
                XCTAssertEqual(lx.count, ly.count)
                XCTAssertGreaterThan(lx.count, 1)
                for (p, q) in zip(lx, ly) { largest = max(largest, abs(p - q)) }
            }
            XCTAssertLessThan(largest, 1e-4, "concurrency \(concurrency)")
            let (g1, g2) = (try samples(local, "gsm8k"), try samples(remote, "gsm8k"))
            XCTAssertEqual(g1.count, 12)
            XCTAssertEqual(g1.map(generation), g2.map(generation), "concurrency \(concurrency)")
            XCTAssertTrue(g1.allSatisfy { generation($0).map { !$0.isEmpty } ?? false })
        }
    }

    /// A free loopback port (bound once, then released).
    func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func testServerGoneStopsWithAClearErrorAndTheRerunFinishesFromTheCache() throws {
        let port = try freePort()
        let first = try startServer(port: port)
        let cache = work.appendingPathComponent("cache.sqlite").path
        let output = work.appendingPathComponent("run")
        let arguments = ["eval", "--model", "openai:\(first.url)", "--model-name", "stories260K", "--model-revision", "stories260K-e50c5b2",
                         "--cache", cache, "--max-retries", "2", "--request-timeout", "5", "--tasks", "arc_easy,piqa", "--limit", "20",
                         "--data-dir", try dataDir(), "--output", output.path]
        // Kill the server for good once the first task is done (its answers are in the cache).
        let eval = Process()
        eval.executableURL = CLI.productsDirectory.appendingPathComponent("forgetbench")
        eval.arguments = arguments
        let log = work.appendingPathComponent("eval.err")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        eval.standardError = try FileHandle(forWritingTo: log)
        eval.standardOutput = FileHandle.nullDevice
        try eval.run()
        let deadline = Date().addingTimeInterval(300)
        while eval.isRunning, Date() < deadline, !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("[2/2] piqa") { usleep(5_000) }
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        // The client must give up on its own (2 retries of 5 s); a hang fails the test rather than CI's clock.
        let giveUp = Date().addingTimeInterval(120)
        while eval.isRunning, Date() < giveUp { usleep(20_000) }
        if eval.isRunning {
            kill(eval.processIdentifier, SIGKILL)
            XCTFail("eval did not stop within 120 s of the server's death")
        }
        eval.waitUntilExit()
        let stderr = try String(contentsOf: log, encoding: .utf8)
        XCTAssertEqual(eval.terminationStatus, 1, stderr)
        let errorLine = try XCTUnwrap(stderr.split(separator: "\n").last { $0.hasPrefix("error: ") }, stderr)
        XCTAssertTrue(errorLine.contains("127.0.0.1:\(port)") && errorLine.contains("attempts"), String(errorLine))
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.appendingPathComponent("results.json").path))

        // The server comes back on the same address: the rerun asks only for what is missing.
        _ = try startServer(port: port)
        let rerun = try CLI.run(arguments)
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        let arcRequests = try samples(output, "arc_easy").map { loglikelihoods($0).count }.reduce(0, +)
        let piqaRequests = try samples(output, "piqa").map { loglikelihoods($0).count }.reduce(0, +)
        let line = try XCTUnwrap(rerun.stdout.split(separator: "\n").first { $0.hasPrefix("cache: ") }, rerun.stdout)
        let hits = Int(line.split(separator: " ")[1])!
        XCTAssertGreaterThanOrEqual(hits, arcRequests, "every arc_easy answer came from the cache: \(line)")
        XCTAssertTrue(line.contains("of \(arcRequests + piqaRequests) requests"), String(line))

        let local = work.appendingPathComponent("local")
        let r = try CLI.run(["eval", "--model", try stories(), "--tasks", "arc_easy,piqa", "--limit", "20", "--data-dir", try dataDir(), "--output", local.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        for task in ["arc_easy", "piqa"] {
            for (x, y) in zip(try samples(local, task), try samples(output, task)) {
                for (p, q) in zip(loglikelihoods(x), loglikelihoods(y)) { XCTAssertEqual(p, q, accuracy: 1e-4) }
            }
        }
    }
}
