import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Server
import XCTest

/// `"stream": true`: server-sent events whose pieces join to the non-streamed text.
final class StreamingTests: XCTestCase {
    /// The `data:` payloads of an event stream, `[DONE]` last.
    static func events(_ raw: String) -> [String] {
        raw.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { $0.hasPrefix("data: ") ? String($0.dropFirst(6)) : "?" + $0 }
    }

    static func objects(_ events: [String]) -> [[String: Any]] {
        events.dropLast().compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    func testStreamedCompletionJoinsToTheTextWithAndWithoutStops() async throws {
        let bodies: [[String: Any]] = [
            ["model": "stories260K", "prompt": "Once upon a time", "max_tokens": 40, "temperature": 0],
            ["model": "stories260K", "prompt": "Once upon a time", "max_tokens": 60, "temperature": 0, "stop": ["Lily", "park"]],
            ["model": "stories260K", "prompt": ["Tom had", "The sun"], "max_tokens": 20, "temperature": 0, "echo": true],
            ["model": "stories260K", "prompt": "Lily", "max_tokens": 0, "echo": true],
        ]
        let payloads = bodies.map { String(decoding: try! JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        try await ServerTestSupport.withClient { client in
            for payload in payloads {
                let plain = try await client.post("/v1/completions", raw: payload)
                XCTAssertEqual(plain.status, 200, plain.raw)
                let streamPayload = String(payload.dropLast()) + ", \"stream\": true}"
                let streamed = try await client.post("/v1/completions", raw: streamPayload)
                XCTAssertEqual(streamed.status, 200, streamed.raw)
                let events = Self.events(streamed.raw)
                XCTAssertEqual(events.last, "[DONE]", streamed.raw)
                let chunks = Self.objects(events)
                XCTAssertEqual(chunks.count, events.count - 1, streamed.raw)
                let choices = (plain.json["choices"] as? [Any])?.count ?? 0
                for i in 0 ..< choices {
                    let mine = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first }.filter { $0["index"] as? Int == i }
                    XCTAssertEqual(mine.compactMap { $0["text"] as? String }.joined(), plain.text(i), payload)
                    XCTAssertEqual(mine.last?["finish_reason"] as? String, plain.choice(i)["finish_reason"] as? String, payload)
                    XCTAssertEqual(mine.filter { !($0["finish_reason"] is NSNull) }.count, 1)
                }
                XCTAssertTrue(chunks.allSatisfy { $0["object"] as? String == "text_completion" && $0["model"] as? String == "stories260K" })
            }
        }
    }

    func testStreamedChatSendsTheRoleThenDeltas() async throws {
        let (plain, streamed) = try await ServerTestSupport.withClient { client in
            (try await client.post("/v1/chat/completions", ["model": "stories260K", "messages": [["role": "user", "content": "Once upon a time"]], "max_tokens": 30, "temperature": 0]),
             try await client.post("/v1/chat/completions", ["model": "stories260K", "messages": [["role": "user", "content": "Once upon a time"]], "max_tokens": 30, "temperature": 0, "stream": true]))
        }
        let chunks = Self.objects(Self.events(streamed.raw))
        XCTAssertEqual(Self.events(streamed.raw).last, "[DONE]")
        let choices = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first }
        let deltas = choices.compactMap { $0["delta"] as? [String: Any] }
        XCTAssertEqual(deltas.first?["role"] as? String, "assistant")
        XCTAssertEqual(deltas.compactMap { $0["content"] as? String }.joined(), (plain.choice()["message"] as? [String: Any])?["content"] as? String)
        XCTAssertEqual(choices.last?["finish_reason"] as? String, plain.choice()["finish_reason"] as? String)
        XCTAssertTrue(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" })
    }

    func testSettledTextHoldsBackStopPrefixes() {
        XCTAssertEqual(String(String.UnicodeScalarView(CompletionStream.settled("Once upon a ti", stops: ["time"]))), "Once upon a ")
        XCTAssertEqual(String(String.UnicodeScalarView(CompletionStream.settled("Once upon a time, there", stops: ["time"]))), "Once upon a ")
        XCTAssertEqual(String(String.UnicodeScalarView(CompletionStream.settled("caf\u{FFFD}", stops: []))), "caf")
        XCTAssertEqual(String(String.UnicodeScalarView(CompletionStream.settled("abc", stops: ["x", ""]))), "abc")
    }
}
