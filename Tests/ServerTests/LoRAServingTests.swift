import Foundation
import Harness
import Hummingbird
import HummingbirdTesting
import NativeModel
@testable import Server
import TestSupport
import XCTest

/// One server, several LoRA adapters (`serve --lora NAME=DIR`, `POST /v1/load_lora_adapter`, as
/// vLLM): a request's `model` picks the base model or an adapter, each answers exactly as the
/// in-process engine with that adapter merged, and concurrent requests for different adapters never
/// decode with each other's weights.
final class LoRAServingTests: XCTestCase {
    static let modelPath = ServerTestSupport.repositoryRoot.appendingPathComponent("Tests/Fixtures/hftrainer/tiny_llama").path
    var work: URL!

    override func setUpWithError() throws { work = try scratchDirectory(prefix: "lora-serving") }

    /// A PEFT adapter on all linear layers with non-zero `B` (a trained adapter's shape), seeded.
    func writeAdapter(_ name: String, seed: UInt64) throws -> URL {
        let weights = try CheckpointLoader.loadWeights(at: Self.modelPath)
        let adapter = LoRAAdapter.initialized(for: weights, rank: 4, alpha: 8, seed: seed)
        var rng = SplitMix64(seed: seed &+ 100)
        for key in adapter.modules.keys.sorted() {
            let b = adapter.modules[key]!.b
            for i in 0 ..< b.count { b.pointer[i] = (rng.nextUniform() * 2 - 1) * 0.3 }
        }
        let directory = work.appendingPathComponent(name)
        try adapter.save(to: directory, baseModel: Self.modelPath)
        return directory
    }

    func models() throws -> ServedModels {
        let path = Self.modelPath
        let base = try ServedModel(id: "tiny", engine: try NativeLanguageModel.load(modelPath: path))
        return ServedModels(base: base) { directory in try NativeLanguageModel.load(modelPath: path, adapterPath: directory) }
    }

    func withClient<T: Sendable>(_ models: ServedModels, _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let app = Application(router: OpenAIServer(models: models).router())
        return try await app.test(.router, body)
    }

    static let text = "What do bees make? Bees make honey in their hives."

    /// The echoed log-probs of `text` under `model` (the first token's null dropped).
    static func echoed(_ client: any TestClientProtocol, model: String) async throws -> [Double] {
        let reply = try await client.post("/v1/completions", ["model": model, "prompt": Self.text, "echo": true, "max_tokens": 0, "logprobs": 0])
        XCTAssertEqual(reply.status, 200, reply.raw)
        let choice = try XCTUnwrap((reply.json["choices"] as? [[String: Any]])?.first)
        let values = try XCTUnwrap((choice["logprobs"] as? [String: Any])?["token_logprobs"] as? [Any])
        return values.dropFirst().compactMap { ($0 as? NSNumber)?.doubleValue }
    }

    static func greedy(_ client: any TestClientProtocol, model: String, prompt: String) async throws -> String {
        let reply = try await client.post("/v1/completions", ["model": model, "prompt": prompt, "max_tokens": 24, "temperature": 0])
        XCTAssertEqual(reply.status, 200, reply.raw)
        return try XCTUnwrap((reply.json["choices"] as? [[String: Any]])?.first?["text"] as? String)
    }

    func testEachAdapterAnswersAsTheEngineWithItMergedAndIsListed() async throws {
        let one = try writeAdapter("one", seed: 1), two = try writeAdapter("two", seed: 2)
        let models = try models()
        // In-process references: the engine with each adapter merged at load.
        let tokens = models.base.engine.encode(Self.text)
        func reference(_ adapter: URL?) async throws -> [Double] {
            let engine = try NativeLanguageModel.load(modelPath: Self.modelPath, adapterPath: adapter?.path)
            return try await engine.tokenLogprobs([TokenLogprobsRequest(tokens: tokens)])[0].logProbs
        }
        let (refBase, refOne, refTwo) = (try await reference(nil), try await reference(one), try await reference(two))
        XCTAssertGreaterThan(zip(refBase, refOne).map { abs($0 - $1) }.max()!, 1e-2, "the adapter changes the model")

        let missing = work.appendingPathComponent("missing").path
        try await withClient(models) { client in
            var reply = try await client.post("/v1/load_lora_adapter", ["lora_name": "one", "lora_path": one.path])
            XCTAssertEqual(reply.status, 200, reply.raw)
            XCTAssertTrue(reply.raw.contains("Success"), reply.raw)
            reply = try await client.post("/v1/load_lora_adapter", ["lora_name": "two", "lora_path": two.path])
            XCTAssertEqual(reply.status, 200, reply.raw)
            reply = try await client.post("/v1/load_lora_adapter", ["lora_name": "one", "lora_path": two.path])
            XCTAssertEqual(reply.status, 400, "a name is loaded once")
            XCTAssertTrue(reply.errorMessage.contains("already been loaded"), reply.raw)
            reply = try await client.post("/v1/load_lora_adapter", ["lora_name": "bad", "lora_path": missing])
            XCTAssertEqual(reply.status, 400)
            XCTAssertTrue(reply.errorMessage.contains("adapter_config.json"), reply.raw)

            let listing = try await client.get("/v1/models")
            let entries = try XCTUnwrap(listing.json["data"] as? [[String: Any]])
            XCTAssertEqual(entries.compactMap { $0["id"] as? String }, ["tiny", "one", "two"])
            XCTAssertEqual(entries[1]["parent"] as? String, "tiny")
            XCTAssertEqual(entries[1]["root"] as? String, one.path)
            XCTAssertEqual((entries[1]["fingerprint"] as? String)?.count, 64)
            XCTAssertNotEqual(entries[1]["fingerprint"] as? String, entries[2]["fingerprint"] as? String)

            for (name, expected) in [("tiny", refBase), ("one", refOne), ("two", refTwo)] {
                let got = try await Self.echoed(client, model: name)
                XCTAssertEqual(got.count, expected.count)
                XCTAssertLessThan(zip(got, expected).map { abs($0 - $1) }.max()!, 1e-6, "\(name) scores as the engine with its adapter merged")
            }

            // Concurrent generations for the three models: each equals its request alone.
            let prompts = ["Bees make", "Count from one", "The sky is"]
            var alone: [String: String] = [:]
            for name in ["tiny", "one", "two"] {
                for prompt in prompts { alone["\(name)|\(prompt)"] = try await Self.greedy(client, model: name, prompt: prompt) }
            }
            XCTAssertNotEqual(alone["tiny|Bees make"], alone["one|Bees make"], "the adapter generates differently")
            let together = try await withThrowingTaskGroup(of: (String, String).self) { group in
                for name in ["tiny", "one", "two"] {
                    for prompt in prompts {
                        group.addTask { ("\(name)|\(prompt)", try await Self.greedy(client, model: name, prompt: prompt)) }
                    }
                }
                var out: [String: String] = [:]
                for try await (key, text) in group { out[key] = text }
                return out
            }
            XCTAssertEqual(together, alone, "requests for different adapters never decode with each other's weights")

            // Unknown and unloaded names.
            reply = try await client.post("/v1/completions", ["model": "three", "prompt": "x", "max_tokens": 1])
            XCTAssertEqual(reply.status, 400)
            XCTAssertTrue(reply.errorMessage.contains("'tiny', 'one', 'two'"), reply.raw)
            reply = try await client.post("/v1/unload_lora_adapter", ["lora_name": "one"])
            XCTAssertEqual(reply.status, 200, reply.raw)
            reply = try await client.post("/v1/completions", ["model": "one", "prompt": "x", "max_tokens": 1])
            XCTAssertEqual(reply.status, 400)
            reply = try await client.post("/v1/unload_lora_adapter", ["lora_name": "one"])
            XCTAssertEqual(reply.status, 404)
            let after = try await client.get("/v1/models")
            XCTAssertEqual((after.json["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, ["tiny", "two"])
        }
    }
}
