import Foundation
import Hummingbird
import HummingbirdTesting
import Server
import XCTest

/// Malformed requests get OpenAI-style error objects with the right status.
final class ErrorResponseTests: XCTestCase {
    static func assertError(_ reply: ServerTestSupport.Reply, status: Int, param: String? = nil, code: String? = nil, mentions fragments: [String] = [],
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(reply.status, status, reply.raw, file: file, line: line)
        XCTAssertEqual(reply.error["type"] as? String, status >= 500 ? "server_error" : "invalid_request_error", reply.raw, file: file, line: line)
        XCTAssertFalse(reply.errorMessage.isEmpty, file: file, line: line)
        XCTAssertTrue(reply.error.keys.contains("param") && reply.error.keys.contains("code"), reply.raw, file: file, line: line)
        if let param { XCTAssertEqual(reply.error["param"] as? String, param, reply.raw, file: file, line: line) }
        if let code { XCTAssertEqual(reply.error["code"] as? String, code, reply.raw, file: file, line: line) }
        for f in fragments { XCTAssertTrue(reply.errorMessage.contains(f), "'\(reply.errorMessage)' should mention '\(f)'", file: file, line: line) }
    }

    func testBadJSONIs400() async throws {
        let reply = try await ServerTestSupport.withClient { try await $0.post("/v1/completions", raw: "{\"model\": \"stories260K\", \"prompt\": ") }
        Self.assertError(reply, status: 400, code: "invalid_json", mentions: ["not valid JSON"])
        let array = try await ServerTestSupport.withClient { try await $0.post("/v1/completions", raw: "[1, 2]") }
        Self.assertError(array, status: 400, mentions: ["JSON object"])
    }

    func testUnknownModelIs400() async throws {
        let reply = try await ServerTestSupport.withClient { try await $0.post("/v1/completions", ["model": "gpt-4", "prompt": "Hi"]) }
        Self.assertError(reply, status: 400, param: "model", code: "model_not_found", mentions: ["gpt-4", "stories260K"])
        let chat = try await ServerTestSupport.withClient {
            try await $0.post("/v1/chat/completions", ["model": "gpt-4", "messages": [["role": "user", "content": "Hi"]]])
        }
        Self.assertError(chat, status: 400, param: "model", code: "model_not_found")
    }

    func testMissingAndWrongTypedFieldsAre400() async throws {
        try await ServerTestSupport.withClient { client in
            Self.assertError(try await client.post("/v1/completions", ["prompt": "Hi"]), status: 400, param: "model")
            Self.assertError(try await client.post("/v1/completions", ["model": "stories260K"]), status: 400, param: "prompt")
            Self.assertError(try await client.post("/v1/completions", ["model": "stories260K", "prompt": 5]), status: 400, param: "prompt")
            Self.assertError(try await client.post("/v1/completions", ["model": "stories260K", "prompt": ["a", 3]]), status: 400, param: "prompt")
            Self.assertError(try await client.post("/v1/completions", ["model": "stories260K", "prompt": "a", "max_tokens": "5"]), status: 400, param: "max_tokens")
            Self.assertError(try await client.post("/v1/completions", ["model": "stories260K", "prompt": "a", "echo": "yes"]), status: 400, param: "echo")
            Self.assertError(try await client.post("/v1/completions", ["model": "stories260K", "prompt": "a", "n": 2]), status: 400, param: "n")
            Self.assertError(try await client.post("/v1/completions", ["model": "stories260K", "prompt": "a", "top_p": 0]), status: 400, param: "top_p")
            Self.assertError(try await client.post("/v1/completions", ["model": "stories260K", "prompt": "a", "stop": [1]]), status: 400, param: "stop")
            Self.assertError(try await client.post("/v1/chat/completions", ["model": "stories260K", "messages": []]), status: 400, param: "messages")
            Self.assertError(try await client.post("/v1/chat/completions", ["model": "stories260K", "messages": [["content": "x"]]]),
                             status: 400, param: "messages[0].role")
        }
    }

    func testNegativeMaxTokensIs400() async throws {
        let reply = try await ServerTestSupport.withClient { try await $0.post("/v1/completions", ["model": "stories260K", "prompt": "Hi", "max_tokens": -1]) }
        Self.assertError(reply, status: 400, param: "max_tokens", mentions: ["-1"])
    }

    func testLogprobsOutOfRangeIs400() async throws {
        try await ServerTestSupport.withClient { client in
            Self.assertError(try await client.post("/v1/completions", ["model": "stories260K", "prompt": "Hi", "logprobs": 21]), status: 400, param: "logprobs", mentions: ["21"])
            Self.assertError(try await client.post("/v1/completions", ["model": "stories260K", "prompt": "Hi", "logprobs": -1]), status: 400, param: "logprobs")
        }
    }

    func testPromptOverTheContextIs400AndNamesTheNumbers() async throws {
        let model = try ServerTestSupport.model()
        let long = String(repeating: "Once upon a time there was a dog. ", count: 60)
        let tokens = model.engine.encode(long).count
        XCTAssertGreaterThan(tokens, 512)
        let reply = try await ServerTestSupport.withClient { try await $0.post("/v1/completions", ["model": "stories260K", "prompt": long, "max_tokens": 0, "echo": true]) }
        Self.assertError(reply, status: 400, param: "prompt", code: "context_length_exceeded", mentions: ["512", "\(tokens)"])
        // A prompt that fits alone but not with max_tokens.
        let short = "Once upon a time"
        let n = model.engine.encode(short).count
        let over = try await ServerTestSupport.withClient { try await $0.post("/v1/completions", ["model": "stories260K", "prompt": short, "max_tokens": 512 - n + 1]) }
        Self.assertError(over, status: 400, code: "context_length_exceeded", mentions: ["512", "\(n) tokens", "\(512 - n + 1)", "513"])
        let fits = try await ServerTestSupport.withClient { try await $0.post("/v1/completions", ["model": "stories260K", "prompt": short, "max_tokens": 512 - n, "stop": ["."]]) }
        XCTAssertEqual(fits.status, 200, fits.raw)
    }

    func testBodyOverTheLimitIs413() async throws {
        let reply = try await ServerTestSupport.withClient(limits: RequestLimits(maxRequestBytes: 100)) {
            try await $0.post("/v1/completions", ["model": "stories260K", "prompt": String(repeating: "a", count: 200)])
        }
        Self.assertError(reply, status: 413, code: "request_too_large")
    }

    func testMaxTokensLimit() async throws {
        let reply = try await ServerTestSupport.withClient(limits: RequestLimits(maxTokensLimit: 8)) {
            try await $0.post("/v1/completions", ["model": "stories260K", "prompt": "Hi", "max_tokens": 9])
        }
        Self.assertError(reply, status: 400, param: "max_tokens", mentions: ["8"])
    }

    func testUnknownRouteIs404WithErrorObject() async throws {
        try await ServerTestSupport.withClient { client in
            let reply = try await client.get("/v1/nothing")
            Self.assertError(reply, status: 404, mentions: ["/v1/nothing"])
            let post = try await client.post("/v2/completions", ["model": "stories260K"])
            Self.assertError(post, status: 404)
        }
    }

    func testStreamingLogprobsAreRefused() async throws {
        let reply = try await ServerTestSupport.withClient {
            try await $0.post("/v1/completions", ["model": "stories260K", "prompt": "Hi", "stream": true, "logprobs": 1])
        }
        Self.assertError(reply, status: 400, param: "logprobs")
    }
}
