import Foundation
import HTTPTestSupport
import Hummingbird
import XCTest

/// `forgetbench eval --model openai:URL` against a fake OpenAI-compatible server (Hummingbird).
final class OpenAIEvalCommandTests: XCTestCase {
    /// What the fake server saw.
    actor Seen {
        var authorizations: [String?] = []
        func add(_ a: String?) { authorizations.append(a) }
    }

    /// Echo + logprobs over space-separated words, log-probs from a hash; or no logprobs at all.
    static func answer(_ body: Data, withLogprobs: Bool) throws -> Data {
        let request = try XCTUnwrap(JSONSerialization.jsonObject(with: body) as? [String: Any])
        let prompts: [String] = (request["prompt"] as? String).map { [$0] } ?? (request["prompt"] as? [String] ?? [])
        var choices: [[String: Any]] = []
        for (i, prompt) in prompts.enumerated() {
            var tokens: [String] = [], current = ""
            for ch in prompt.unicodeScalars {
                if ch == " ", !current.isEmpty { tokens.append(current); current = "" }
                current.unicodeScalars.append(ch)
            }
            if !current.isEmpty { tokens.append(current) }
            var offsets: [Int] = [], lps: [Any] = [], tops: [Any] = [], offset = 0
            for (k, t) in tokens.enumerated() {
                offsets.append(offset)
                offset += t.unicodeScalars.count
                var h: UInt64 = 0xcbf29ce484222325
                for b in ((k > 0 ? tokens[k - 1] : "") + "|" + t).utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
                let lp = -Double(h % 1000) / 200 - 0.01
                lps.append(k == 0 ? NSNull() : lp)
                tops.append(k == 0 ? NSNull() : [t: lp])
            }
            var choice: [String: Any] = ["index": i, "text": prompt, "finish_reason": "length"]
            if withLogprobs { choice["logprobs"] = ["tokens": tokens, "token_logprobs": lps, "top_logprobs": tops, "text_offset": offsets] }
            choices.append(choice)
        }
        return try JSONSerialization.data(withJSONObject: ["choices": choices, "usage": ["prompt_tokens": 1, "completion_tokens": 0]])
    }

    static func withServer<T: Sendable>(logprobs: Bool, _ body: (String, Seen) async throws -> T) async throws -> T {
        let seen = Seen()
        let router = Router()
        router.post("/v1/completions") { request, _ -> Response in
            await seen.add(request.headers[.authorization])
            let buffer = try await request.body.collect(upTo: 64 << 20)
            let data = try answer(Data(buffer.readableBytesView), withLogprobs: logprobs)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        return try await LocalHTTPServer.serve(router) { url in try await body(url, seen) }
    }

    /// Runs the CLI off the cooperative pool, so the in-process server keeps answering.
    static func run(_ arguments: [String]) async throws -> CLI.Result {
        try await withCheckedThrowingContinuation { c in
            DispatchQueue.global().async { c.resume(with: Result { try CLI.run(arguments) }) }
        }
    }

    func testEvalThroughAServerRecordsTheEngineAndNeverTheKey() async throws {
        let shared = try CLI.shared()
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let key = "sk-cli-\(UUID().uuidString)"
        setenv("FORGETBENCH_TEST_OPENAI_KEY", key, 1)
        try await Self.withServer(logprobs: true) { url, seen in
            let out = work.appendingPathComponent("run")
            let r = try await Self.run(["eval", "--model", "openai:\(url)", "--model-name", "stories260K", "--api-key-env", "FORGETBENCH_TEST_OPENAI_KEY",
                                        "--concurrency", "4", "--eval-batch-size", "3", "--max-retries", "1",
                                        "--tasks", "arc_easy", "--limit", "6", "--data-dir", shared.appendingPathComponent("data").path, "--output", out.path])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("note: cross-run cache reuse: off (no --model-revision)"), r.stdout)
            let results = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("results.json"))) as? [String: Any])
            let model = try XCTUnwrap(results["model"] as? [String: Any])
            XCTAssertEqual(model["engine"] as? String, "openai")
            XCTAssertEqual(model["source"] as? String, "openai:\(url)")
            XCTAssertEqual(model["name"] as? String, "stories260K")
            XCTAssertEqual(model["notes"] as? [String], ["cross-run cache reuse: off (no --model-revision)"])
            let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
            XCTAssertTrue(report.contains("cross-run cache reuse: off (no --model-revision)"), report)
            // The key reached the server and nothing else.
            let authorizations = await seen.authorizations
            XCTAssertFalse(authorizations.isEmpty)
            XCTAssertTrue(authorizations.allSatisfy { $0 == "Bearer \(key)" })
            XCTAssertFalse(r.stdout.contains(key) || r.stderr.contains(key))
            let files = FileManager.default.enumerator(at: out, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }
            XCTAssertTrue(files.contains { $0.lastPathComponent == "arc_easy.jsonl" })
            for file in files where !file.hasDirectoryPath {
                let text = String(decoding: try Data(contentsOf: file), as: UTF8.self)
                XCTAssertFalse(text.contains(key), "\(file.lastPathComponent) holds the API key")
            }

            // With a revision the fingerprint is stable and no note is written.
            let pinned = work.appendingPathComponent("pinned")
            let p = try await Self.run(["eval", "--model", "openai:\(url)", "--model-name", "stories260K", "--model-revision", "r1",
                                        "--tasks", "arc_easy", "--limit", "6", "--data-dir", shared.appendingPathComponent("data").path, "--output", pinned.path])
            XCTAssertEqual(p.status, 0, p.stderr)
            let pinnedResults = try String(contentsOf: pinned.appendingPathComponent("results.json"), encoding: .utf8)
            XCTAssertFalse(pinnedResults.contains("cross-run cache reuse"))
            XCTAssertTrue(pinnedResults.contains("\"revision\" : \"r1\"") || pinnedResults.contains("\"revision\":\"r1\""), pinnedResults)
            // Same answers whatever the concurrency and batching.
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("samples/arc_easy.jsonl")),
                           try Data(contentsOf: pinned.appendingPathComponent("samples/arc_easy.jsonl")))
        }
    }

    func testLoglikelihoodTasksAreRefusedUpFrontWithoutPromptLogprobs() async throws {
        let shared = try CLI.shared()
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try await Self.withServer(logprobs: false) { url, _ in
            let r = try await Self.run(["eval", "--model", "openai:\(url)", "--model-name", "m", "--tasks", "arc_easy,wikisql_rolling", "--limit", "3",
                                        "--data-dir", shared.appendingPathComponent("data").path, "--output", work.appendingPathComponent("run").path])
            XCTAssertEqual(r.status, 1)
            XCTAssertTrue(r.stderr.contains("this server does not return prompt logprobs"), r.stderr)
            XCTAssertTrue(r.stderr.contains("cannot run: arc_easy, wikisql_rolling"), r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("run/results.json").path))
        }
    }

    func testLocalOnlyCommandsRefuseAnOpenAIModel() throws {
        let r = try CLI.run(["generate", "--model", "openai:http://127.0.0.1:9/v1", "--prompt", "x", "--max-tokens", "2"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("openai: models can only be evaluated"), r.stderr)
        let noName = try CLI.run(["eval", "--model", "openai:http://127.0.0.1:9/v1", "--tasks", "arc_easy",
                                  "--data-dir", CLI.shared().appendingPathComponent("data").path, "--output", FileManager.default.temporaryDirectory.appendingPathComponent("fb-\(UUID().uuidString)").path])
        XCTAssertEqual(noName.status, 1)
        XCTAssertTrue(noName.stderr.contains("needs --model-name"), noName.stderr)
    }
}
