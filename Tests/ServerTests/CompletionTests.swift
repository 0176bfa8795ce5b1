import Foundation
import Harness
import Hummingbird
import HummingbirdTesting
import NativeModel
import Server
import XCTest

/// `/v1/models` and `/v1/completions` give the in-process engine's numbers.
final class CompletionTests: XCTestCase {
    static let story = "Once upon a time, there was a little girl named Lily. She loved to play outside."

    func testModelsListsTheServedModel() async throws {
        let reply = try await ServerTestSupport.withClient { try await $0.get("/v1/models") }
        XCTAssertEqual(reply.status, 200, reply.raw)
        XCTAssertEqual(reply.json["object"] as? String, "list")
        let data = try XCTUnwrap(reply.json["data"] as? [[String: Any]])
        XCTAssertEqual(data.count, 1)
        XCTAssertEqual(data[0]["id"] as? String, "stories260K")
        XCTAssertEqual(data[0]["object"] as? String, "model")
        XCTAssertNotNil(data[0]["created"] as? Int)
        let one = try await ServerTestSupport.withClient { try await $0.get("/v1/models/stories260K") }
        XCTAssertEqual(one.json["id"] as? String, "stories260K")
    }

    func testDefaultModelIDIsTheBaseName() throws {
        XCTAssertEqual(ServedModel.defaultID(forModelPath: "/nowhere/stories260K.bin"), "stories260K")
        XCTAssertEqual(ServedModel.defaultID(forModelPath: try ServerTestSupport.shared().appendingPathComponent("models/stories260K").path), "stories260K")
    }

    func testEchoLogprobsEqualEngineScores() async throws {
        let model = try ServerTestSupport.model()
        let tokens = model.engine.encode(Self.story)
        let expected = try model.engine.scores([tokens])[0].logProbs
        let reply = try await ServerTestSupport.withClient {
            try await $0.post("/v1/completions", ["model": "stories260K", "prompt": Self.story, "echo": true, "max_tokens": 0, "logprobs": 3])
        }
        XCTAssertEqual(reply.status, 200, reply.raw)
        XCTAssertEqual(reply.json["object"] as? String, "text_completion")
        XCTAssertEqual(reply.json["model"] as? String, "stories260K")
        XCTAssertTrue((reply.json["id"] as? String)?.hasPrefix("cmpl-") ?? false)
        XCTAssertEqual(reply.text(), Self.story)
        XCTAssertEqual(reply.choice()["finish_reason"] as? String, "length")
        let usage = try XCTUnwrap(reply.json["usage"] as? [String: Int])
        XCTAssertEqual(usage, ["prompt_tokens": tokens.count, "completion_tokens": 0, "total_tokens": tokens.count])

        let lp = reply.logprobs()
        let texts = try XCTUnwrap(lp["tokens"] as? [String])
        let values = try XCTUnwrap(lp["token_logprobs"] as? [Any])
        let offsets = try XCTUnwrap(lp["text_offset"] as? [Int])
        let tops = try XCTUnwrap(lp["top_logprobs"] as? [Any])
        XCTAssertEqual(texts.count, tokens.count)
        XCTAssertEqual(values.count, tokens.count)
        XCTAssertEqual(offsets.count, tokens.count)
        XCTAssertEqual(tops.count, tokens.count)
        // BOS: no text, offset 0, null log-prob and alternatives.
        XCTAssertEqual(texts[0], "")
        XCTAssertEqual(offsets[0], 0)
        XCTAssertTrue(values[0] is NSNull)
        XCTAssertTrue(tops[0] is NSNull)
        XCTAssertEqual(texts.joined(), Self.story)
        let scalars = Array(Self.story.unicodeScalars)
        for i in 1 ..< tokens.count {
            let value = try XCTUnwrap(values[i] as? Double)
            XCTAssertEqual(value, expected[i - 1], accuracy: 1e-5, "token \(i)")
            // Each token's text sits at its offset in the prompt.
            let piece = String(String.UnicodeScalarView(scalars[offsets[i] ..< offsets[i] + texts[i].unicodeScalars.count]))
            XCTAssertEqual(piece, texts[i])
            if i + 1 < tokens.count { XCTAssertEqual(offsets[i] + texts[i].unicodeScalars.count, offsets[i + 1]) }
        }
    }

    /// The raw JSON text keeps `top_logprobs` entries most likely first.
    func testTopLogprobsAreSortedAndConsistent() async throws {
        let reply = try await ServerTestSupport.withClient {
            try await $0.post("/v1/completions", ["model": "stories260K", "prompt": Self.story, "echo": true, "max_tokens": 0, "logprobs": 5])
        }
        XCTAssertEqual(reply.status, 200, reply.raw)
        let raw = try XCTUnwrap(JSONValue.parse(Data(reply.raw.utf8))["choices"])
        guard case .array(let choices) = raw, case .object? = choices.first, case .array(let tops)? = choices[0]["logprobs"]?["top_logprobs"],
              case .array(let values)? = choices[0]["logprobs"]?["token_logprobs"], case .array(let texts)? = choices[0]["logprobs"]?["tokens"] else {
            return XCTFail("unexpected shape \(reply.raw)")
        }
        // Key order is only visible in the text: parse it with our ordered parser's text order.
        for i in 1 ..< tops.count {
            let object = try XCTUnwrap(Self.orderedPairs(of: reply.raw, entry: i))
            XCTAssertGreaterThanOrEqual(object.count, 5)
            XCTAssertLessThanOrEqual(object.count, 6)
            for (a, b) in zip(object, object.dropFirst()) { XCTAssertGreaterThanOrEqual(a.1, b.1, "entry \(i) not sorted") }
            guard case .string(let text) = texts[i], let value = values[i].doubleValue else { return XCTFail() }
            let own = try XCTUnwrap(object.first { $0.0 == text }, "the actual token '\(text)' is among entry \(i)")
            XCTAssertEqual(own.1, value, accuracy: 1e-12)
            XCTAssertLessThanOrEqual(value, object[0].1 + 1e-12)
            let total = object.map { exp($0.1) }.reduce(0, +)
            XCTAssertLessThanOrEqual(total, 1 + 1e-6)
        }
    }

    /// The `(key, value)` pairs of `top_logprobs[entry]` in the order the JSON text lists them.
    static func orderedPairs(of raw: String, entry: Int) -> [(String, Double)]? {
        guard let start = raw.range(of: "\"top_logprobs\":[") else { return nil }
        var rest = raw[start.upperBound...]
        var index = 0
        while let open = rest.firstIndex(where: { $0 == "{" || $0 == "n" }) {
            if rest[open] == "n" { // null
                rest = rest[rest.index(open, offsetBy: 4)...]
                index += 1
                continue
            }
            // Find the matching close brace outside strings.
            var inString = false, escaped = false, close = open
            for i in rest[open...].indices {
                let c = rest[i]
                if escaped { escaped = false; continue }
                if c == "\\" { escaped = true; continue }
                if c == "\"" { inString.toggle(); continue }
                if c == "}" && !inString { close = i; break }
            }
            if index == entry {
                let text = String(rest[open ... close])
                guard case .object(let pairs)? = try? JSONValue.parse(Data(text.utf8)) else { return nil }
                // JSONDecoder does not keep key order: recover it from the text.
                let positions = pairs.map { pair in (pair, text.range(of: Self.quoted(pair.0) + ":")?.lowerBound ?? text.endIndex) }
                return positions.sorted { $0.1 < $1.1 }.map { ($0.0.0, $0.0.1.doubleValue ?? .nan) }
            }
            index += 1
            rest = rest[rest.index(after: close)...]
        }
        return nil
    }

    static func quoted(_ s: String) -> String {
        String(decoding: JSONValue.string(s).serialized(), as: UTF8.self)
    }

    /// The client rule (context's trailing spaces stripped, tokens at or after its length) gives
    /// the engine's `loglikelihood` split, on arc_easy items and pairs with spaces at the seam.
    func testClientRuleReproducesEngineLoglikelihood() async throws {
        let model = try ServerTestSupport.model()
        var pairs: [(String, String)] = [
            ("Question: What is the capital of France?\nAnswer:", " Paris"),
            ("Question: What is the capital of France?\nAnswer: ", "Paris"),
            ("Question: Which one?\nAnswer:  ", " two words"),
            ("", "Once upon a time"),
            ("Once upon a time", ", there was a dog."),
            ("Le café", " est chaud ☕ très"),
            ("Question: Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?\nAnswer:",
             " Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72"),
        ]
        let arc = try ServerTestSupport.shared().appendingPathComponent("data/arc/arc_easy.jsonl")
        if let text = try? String(contentsOf: arc, encoding: .utf8) {
            for line in text.split(separator: "\n").prefix(4) {
                let item = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let query = try XCTUnwrap(item["query"] as? String)
                for choice in try XCTUnwrap(item["choices"] as? [String]) { pairs.append(("\(query)\nAnswer:", " \(choice)")) }
            }
        }
        let expected = try model.engine.loglikelihoodSync(pairs.map { LoglikelihoodRequest(context: $0.0, continuation: $0.1) })
        let frozen = pairs
        let replies = try await ServerTestSupport.withClient { client in
            var replies: [ServerTestSupport.Reply] = []
            for (context, continuation) in frozen {
                replies.append(try await client.post("/v1/completions", ["model": "stories260K", "prompt": context + continuation,
                                                                        "echo": true, "max_tokens": 0, "logprobs": 1]))
            }
            return replies
        }
        for ((context, continuation), (reply, want)) in zip(pairs, zip(replies, expected)) {
            XCTAssertEqual(reply.status, 200, reply.raw)
            var stripped = context
            while stripped.hasSuffix(" ") { stripped.removeLast() }
            let threshold = stripped.unicodeScalars.count
            let lp = reply.logprobs()
            let offsets = try XCTUnwrap(lp["text_offset"] as? [Int])
            let values = try XCTUnwrap(lp["token_logprobs"] as? [Any])
            var sum = 0.0, count = 0
            for (offset, value) in zip(offsets, values) where offset >= threshold {
                guard let v = value as? Double else { continue }
                sum += v
                count += 1
            }
            XCTAssertEqual(count, want.tokenCount, "\(context.debugDescription) + \(continuation.debugDescription)")
            XCTAssertEqual(sum, want.logLikelihood, accuracy: 1e-4, "\(context.debugDescription) + \(continuation.debugDescription)")
            // Without trailing spaces in the context, the plain rule (offset >= len(context)) is the same.
            if stripped == context {
                let plain = zip(offsets, values).filter { $0.0 >= context.unicodeScalars.count }.compactMap { $0.1 as? Double }.reduce(0, +)
                XCTAssertEqual(plain, want.logLikelihood, accuracy: 1e-4)
            }
        }
    }

    func testGreedyCompletionEqualsEngineGenerate() async throws {
        let model = try ServerTestSupport.model()
        let prompt = "Once upon a time"
        let tokens = model.engine.encode(prompt)
        let expected = try model.engine.generate(prompt: tokens, maxNewTokens: 40, temperature: 0, topP: 1, seed: 42)
        let reply = try await ServerTestSupport.withClient {
            try await $0.post("/v1/completions", ["model": "stories260K", "prompt": prompt, "max_tokens": 40, "temperature": 0])
        }
        XCTAssertEqual(reply.status, 200, reply.raw)
        XCTAssertEqual(reply.text(), expected.text)
        XCTAssertEqual(reply.choice()["finish_reason"] as? String, expected.finishReason.rawValue)
        XCTAssertEqual(reply.choice()["index"] as? Int, 0)
        XCTAssertTrue(reply.choice()["logprobs"] is NSNull)
        let usage = try XCTUnwrap(reply.json["usage"] as? [String: Int])
        XCTAssertEqual(usage["prompt_tokens"], tokens.count)
        XCTAssertEqual(usage["completion_tokens"], expected.tokens.count)
        XCTAssertEqual(usage["total_tokens"], tokens.count + expected.tokens.count)
        // The Harness request path gives the same text.
        let harness = try await model.engine.generate([GenerationRequest(context: prompt, maxTokens: 40)])
        XCTAssertEqual(reply.text(), harness[0].text)
    }

    func testSeededSamplingIsReproducibleAndEqualsEngine() async throws {
        let model = try ServerTestSupport.model()
        let prompt = "Lily went"
        let expected = try model.engine.generate(prompt: model.engine.encode(prompt), maxNewTokens: 30, temperature: 0.8, topP: 0.9, seed: 7)
        let body = #"{"model": "stories260K", "prompt": "Lily went", "max_tokens": 30, "temperature": 0.8, "top_p": 0.9, "seed": 7}"#
        let (a, b) = try await ServerTestSupport.withClient { client in
            (try await client.post("/v1/completions", raw: body), try await client.post("/v1/completions", raw: body))
        }
        XCTAssertEqual(a.text(), expected.text)
        XCTAssertEqual(b.text(), expected.text)
    }

    func testStopSequencesCutTheText() async throws {
        let model = try ServerTestSupport.model()
        let prompt = "Once upon a time"
        let full = try model.engine.generate(prompt: model.engine.encode(prompt), maxNewTokens: 60, temperature: 0, topP: 1, seed: 42).text
        let words = full.split(separator: " ")
        XCTAssertGreaterThan(words.count, 6, full)
        let stop = String(words[4])
        let cut = String(full[..<full.range(of: stop)!.lowerBound])
        try await ServerTestSupport.withClient { client in
            for stops in [stop as Any, ["zzzz", stop] as Any] {
                let reply = try await client.post("/v1/completions", ["model": "stories260K", "prompt": prompt, "max_tokens": 60, "temperature": 0,
                                                                     "stop": stops, "logprobs": 0])
                XCTAssertEqual(reply.status, 200, reply.raw)
                XCTAssertEqual(reply.text(), cut)
                XCTAssertEqual(reply.choice()["finish_reason"] as? String, "stop")
                // Log-probs list the kept tokens; their texts start the completion.
                let texts = try XCTUnwrap(reply.logprobs()["tokens"] as? [String])
                let offsets = try XCTUnwrap(reply.logprobs()["text_offset"] as? [Int])
                XCTAssertEqual(offsets.first, 0)
                XCTAssertTrue(offsets.allSatisfy { $0 < cut.unicodeScalars.count })
                XCTAssertTrue((texts.joined()).hasPrefix(cut))
            }
        }
    }

    func testEchoWithGenerationCoversPromptAndCompletion() async throws {
        let model = try ServerTestSupport.model()
        let prompt = "Once upon a time"
        let promptTokens = model.engine.encode(prompt)
        let generated = try model.engine.generate(prompt: promptTokens, maxNewTokens: 12, temperature: 0, topP: 1, seed: 42)
        let expected = try model.engine.scores([promptTokens + generated.tokens])[0].logProbs
        let reply = try await ServerTestSupport.withClient {
            try await $0.post("/v1/completions", ["model": "stories260K", "prompt": prompt, "max_tokens": 12, "temperature": 0, "echo": true, "logprobs": 2])
        }
        XCTAssertEqual(reply.text(), prompt + generated.text)
        let values = try XCTUnwrap(reply.logprobs()["token_logprobs"] as? [Any])
        XCTAssertEqual(values.count, promptTokens.count + generated.tokens.count)
        for i in 1 ..< values.count { XCTAssertEqual(try XCTUnwrap(values[i] as? Double), expected[i - 1], accuracy: 1e-5) }
        XCTAssertEqual((reply.logprobs()["tokens"] as? [String])?.joined(), prompt + generated.text)
        // Without echo only the completion's tokens, offsets into the completion.
        let plain = try await ServerTestSupport.withClient {
            try await $0.post("/v1/completions", ["model": "stories260K", "prompt": prompt, "max_tokens": 12, "temperature": 0, "logprobs": 2])
        }
        let plainValues = try XCTUnwrap(plain.logprobs()["token_logprobs"] as? [Double])
        XCTAssertEqual(plainValues.count, generated.tokens.count)
        for (j, v) in plainValues.enumerated() { XCTAssertEqual(v, expected[promptTokens.count - 1 + j], accuracy: 1e-5) }
        XCTAssertEqual((plain.logprobs()["text_offset"] as? [Int])?.first, 0)
        XCTAssertEqual((plain.logprobs()["tokens"] as? [String])?.joined(), generated.text)
    }

    func testListPromptsGiveOneChoiceEach() async throws {
        let prompts = ["Once upon a time", "Lily and Ben", "The sun"]
        let (together, alone) = try await ServerTestSupport.withClient { client in
            let together = try await client.post("/v1/completions", ["model": "stories260K", "prompt": prompts, "max_tokens": 10, "temperature": 0, "logprobs": 1, "echo": true])
            var alone: [ServerTestSupport.Reply] = []
            for p in prompts {
                alone.append(try await client.post("/v1/completions", ["model": "stories260K", "prompt": p, "max_tokens": 10, "temperature": 0, "logprobs": 1, "echo": true]))
            }
            return (together, alone)
        }
        XCTAssertEqual(together.status, 200, together.raw)
        XCTAssertEqual((together.json["choices"] as? [Any])?.count, 3)
        var promptTokens = 0, completionTokens = 0
        for i in prompts.indices {
            XCTAssertEqual(together.choice(i)["index"] as? Int, i)
            XCTAssertEqual(together.text(i), alone[i].text())
            let a = try XCTUnwrap(together.logprobs(i)["token_logprobs"] as? [Any]).dropFirst().map { $0 as! Double }
            let b = try XCTUnwrap(alone[i].logprobs()["token_logprobs"] as? [Any]).dropFirst().map { $0 as! Double }
            XCTAssertEqual(a.count, b.count)
            XCTAssertEqual(a, b, "batch-invariant: a prompt's log-probs are bit-identical with or without others")
            let usage = try XCTUnwrap(alone[i].json["usage"] as? [String: Int])
            promptTokens += usage["prompt_tokens"]!
            completionTokens += usage["completion_tokens"]!
        }
        let usage = try XCTUnwrap(together.json["usage"] as? [String: Int])
        XCTAssertEqual(usage["prompt_tokens"], promptTokens)
        XCTAssertEqual(usage["completion_tokens"], completionTokens)
    }

    func testConcurrentRequestsGiveSequentialResults() async throws {
        let bodies: [[String: Any]] = (0 ..< 16).map { i in
            i % 2 == 0
                ? ["model": "stories260K", "prompt": "Once upon a time \(i)", "max_tokens": 16, "temperature": 0]
                : ["model": "stories260K", "prompt": "Tom had \(i) apples.", "max_tokens": 0, "echo": true, "logprobs": 2]
        }
        let payloads = bodies.map { String(decoding: try! JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        let (sequential, parallel) = try await ServerTestSupport.withClient { client in
            var sequential: [String] = []
            for p in payloads { sequential.append(try await client.post("/v1/completions", raw: p).choice()["text"] as? String ?? "") }
            var sequentialLogprobs: [String] = []
            for p in payloads { sequentialLogprobs.append(Self.canonicalLogprobs(try await client.post("/v1/completions", raw: p))) }
            let parallel = try await withThrowingTaskGroup(of: (Int, String, String).self) { group in
                for (i, p) in payloads.enumerated() {
                    group.addTask {
                        let reply = try await client.post("/v1/completions", raw: p)
                        XCTAssertEqual(reply.status, 200, reply.raw)
                        return (i, reply.text() ?? "", Self.canonicalLogprobs(reply))
                    }
                }
                var results = [(String, String)](repeating: ("", ""), count: payloads.count)
                for try await (i, text, logprobs) in group { results[i] = (text, logprobs) }
                return results
            }
            return (zip(sequential, sequentialLogprobs).map { ($0, $1) }, parallel)
        }
        for (s, p) in zip(sequential, parallel) {
            XCTAssertEqual(s.0, p.0)
            XCTAssertEqual(s.1, p.1)
        }
    }

    /// The logprobs object as comparable text (every digit of each value: batch-invariant scores are
    /// bit-identical).
    static func canonicalLogprobs(_ reply: ServerTestSupport.Reply) -> String {
        let lp = reply.logprobs()
        let values = (lp["token_logprobs"] as? [Any] ?? []).map { ($0 as? Double).map { "\($0)" } ?? "null" }
        return "\(lp["tokens"] as? [String] ?? []) \(values) \(lp["text_offset"] as? [Int] ?? [])"
    }
}
