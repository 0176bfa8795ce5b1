import Foundation
import Harness
import Hummingbird
import HummingbirdTesting
import NativeModel
import Server
import XCTest

/// Token-id prompts and `/tokenize`: a client can reproduce the engine's rolling log-likelihood
/// over texts longer than the context.
final class TokenPromptTests: XCTestCase {
    func testTokenPromptEchoEqualsTextPromptEcho() async throws {
        let model = try ServerTestSupport.model()
        let text = "Once upon a time, there was a dog."
        let tokens = model.engine.encode(text)
        let (byText, byTokens, tokenized, bad) = try await ServerTestSupport.withClient { client in
            (try await client.post("/v1/completions", ["model": "stories260K", "prompt": text, "echo": true, "max_tokens": 0, "logprobs": 1]),
             try await client.post("/v1/completions", ["model": "stories260K", "prompt": [tokens], "echo": true, "max_tokens": 0, "logprobs": 1]),
             try await client.post("/tokenize", ["model": "stories260K", "prompt": text]),
             try await client.post("/v1/completions", ["model": "stories260K", "prompt": [1, 600], "max_tokens": 1]))
        }
        XCTAssertEqual(byTokens.status, 200, byTokens.raw)
        XCTAssertEqual(byTokens.text(), text)
        XCTAssertEqual(Self.values(byTokens), Self.values(byText))
        XCTAssertEqual(byTokens.logprobs()["text_offset"] as? [Int], byText.logprobs()["text_offset"] as? [Int])
        XCTAssertEqual(tokenized.json["tokens"] as? [Int], tokens)
        XCTAssertEqual(tokenized.json["max_model_len"] as? Int, 512)
        XCTAssertEqual(bad.status, 400, bad.raw)
        XCTAssertEqual(bad.error["param"] as? String, "prompt")
    }

    static func values(_ reply: ServerTestSupport.Reply) -> [Double?] {
        (reply.logprobs()["token_logprobs"] as? [Any] ?? []).map { $0 as? Double }
    }

    func testRollingWindowsOfTokenPromptsEqualEngineRolling() async throws {
        let model = try ServerTestSupport.model()
        let text = String(repeating: "Once upon a time, there was a little dog named Max. Max liked to run in the park. ", count: 30)
        let expected = try await model.engine.loglikelihoodRolling([RollingLoglikelihoodRequest(text: text)])[0]
        XCTAssertGreaterThan(expected.tokenCount, 512)
        let total = try await ServerTestSupport.withClient { client in
            let tokenized = try await client.post("/tokenize", ["model": "stories260K", "prompt": text])
            let tokens = tokenized.json["tokens"] as? [Int] ?? []
            let windows = model.engine.rollingWindows(tokens)
            let reply = try await client.post("/v1/completions", ["model": "stories260K", "prompt": windows.map(\.input), "echo": true, "max_tokens": 0, "logprobs": 0])
            XCTAssertEqual(reply.status, 200, reply.raw)
            var sum = 0.0, count = 0
            for (i, window) in windows.enumerated() {
                let values = (reply.logprobs(i)["token_logprobs"] as? [Any] ?? []).compactMap { $0 as? Double }
                sum += values.suffix(window.predicted).reduce(0, +)
                count += window.predicted
            }
            return (sum, count)
        }
        XCTAssertEqual(total.1, expected.tokenCount)
        XCTAssertEqual(total.0, expected.logLikelihood, accuracy: 1e-3)
    }
}
