import Foundation
import Hummingbird
import HummingbirdTesting
import NativeModel
import Server
import XCTest

/// `/v1/chat/completions`: messages become the plain prompt and generation equals the engine's.
final class ChatCompletionTests: XCTestCase {
    func testChatCompletionGeneratesFromThePlainPrompt() async throws {
        let model = try ServerTestSupport.model()
        XCTAssertEqual(model.chat.format, .plain)  // stories260K has no chat template
        let prompt = "Tell me a story.\nOnce upon a time"
        let tokens = model.engine.encode(prompt)
        let expected = try model.engine.generate(prompt: tokens, maxNewTokens: 24, temperature: 0, topP: 1, seed: 42)
        let reply = try await ServerTestSupport.withClient {
            try await $0.post("/v1/chat/completions", ["model": "stories260K", "max_tokens": 24, "temperature": 0, "logprobs": true, "top_logprobs": 2,
                                                       "messages": [["role": "system", "content": "Tell me a story."],
                                                                    ["role": "user", "content": [["type": "text", "text": "Once upon a time"]]]]])
        }
        XCTAssertEqual(reply.status, 200, reply.raw)
        XCTAssertEqual(reply.json["object"] as? String, "chat.completion")
        XCTAssertTrue((reply.json["id"] as? String)?.hasPrefix("chatcmpl-") ?? false)
        let message = try XCTUnwrap(reply.choice()["message"] as? [String: Any])
        XCTAssertEqual(message["role"] as? String, "assistant")
        XCTAssertEqual(message["content"] as? String, expected.text)
        XCTAssertEqual(reply.choice()["finish_reason"] as? String, expected.finishReason.rawValue)
        let usage = try XCTUnwrap(reply.json["usage"] as? [String: Int])
        XCTAssertEqual(usage["prompt_tokens"], tokens.count)
        XCTAssertEqual(usage["completion_tokens"], expected.tokens.count)
        let content = try XCTUnwrap((reply.choice()["logprobs"] as? [String: Any])?["content"] as? [[String: Any]])
        XCTAssertEqual(content.count, expected.tokens.count)
        XCTAssertEqual(content.map { $0["token"] as? String ?? "" }.joined(), expected.text)
        let scores = try model.engine.scores([tokens + expected.tokens])[0].logProbs
        for (j, entry) in content.enumerated() {
            XCTAssertEqual(try XCTUnwrap(entry["logprob"] as? Double), scores[tokens.count - 1 + j], accuracy: 1e-5)
            let top = try XCTUnwrap(entry["top_logprobs"] as? [[String: Any]])
            XCTAssertEqual(top.count, 2)
            // Greedy: the chosen token is the most likely one.
            XCTAssertEqual(try XCTUnwrap(top[0]["logprob"] as? Double), try XCTUnwrap(entry["logprob"] as? Double), accuracy: 1e-12)
        }
    }

    func testChatDefaultMaxTokensFillsTheContextAndStops() async throws {
        let reply = try await ServerTestSupport.withClient {
            try await $0.post("/v1/chat/completions", ["model": "stories260K", "temperature": 0, "stop": ["."],
                                                       "messages": [["role": "user", "content": "Once upon a time"]]])
        }
        XCTAssertEqual(reply.status, 200, reply.raw)
        let content = try XCTUnwrap((reply.choice()["message"] as? [String: Any])?["content"] as? String)
        XCTAssertFalse(content.contains("."))
        XCTAssertEqual(reply.choice()["finish_reason"] as? String, "stop")
    }
}
