import Foundation
import Harness
@testable import OpenAIBackend
import XCTest

/// The backend against a fake Hummingbird server: alignment, batching, concurrency, retries,
/// missing capabilities and the API key.
final class OpenAILanguageModelTests: XCTestCase {
    /// Settings with short timeouts and backoff for tests.
    static func settings(_ url: String, concurrency: Int = 4, batchSize: Int = 1, timeout: Double = 5, retries: Int = 8,
                         key: String? = nil, api: GenerationAPI = .completions) -> OpenAIClientSettings {
        OpenAIClientSettings(baseURL: url, modelName: "fake-model", apiKey: key.map(APIKey.init), concurrency: concurrency, batchSize: batchSize,
                             requestTimeout: timeout, retry: RetryPolicy(maxRetries: retries, baseDelay: 0.005, maxDelay: 0.05), generationAPI: api)
    }

    /// Multiple-choice-like requests: four choices per context, leading spaces and trailing spaces mixed.
    static let requests: [LoglikelihoodRequest] = (0 ..< 24).flatMap { i in
        ["red", "green", "blue sky", "a b c"].map { choice in
            i % 2 == 0 ? LoglikelihoodRequest(context: "Question \(i): what colour is it?\nAnswer:", continuation: " \(choice)")
                       : LoglikelihoodRequest(context: "Q\(i) colour? Answer: ", continuation: choice)
        }
    }
    static let texts: [RollingLoglikelihoodRequest] = (0 ..< 10).map { RollingLoglikelihoodRequest(text: "Once upon a time \($0) there was a  dog named Rex.") }

    static func evaluate(_ settings: OpenAIClientSettings) async throws -> ([LoglikelihoodResponse], [RollingLoglikelihoodResponse]) {
        let model = try OpenAILanguageModel(settings: settings)
        do {
            let ll = try await model.loglikelihood(requests)
            let rolling = try await model.loglikelihoodRolling(texts)
            await model.shutdown()
            return (ll, rolling)
        } catch {
            await model.shutdown()
            throw error
        }
    }

    func testLoglikelihoodMatchesTheServersTokens() async throws {
        let (ll, rolling) = try await FakeOpenAIServer.with { url, recorder in
            try await Self.evaluate(Self.settings(url))
        }
        for (request, response) in zip(Self.requests, ll) {
            let e = FakeModel.expected(context: request.context, continuation: request.continuation)
            XCTAssertEqual(response.logLikelihood, e.logLikelihood, accuracy: 1e-9, "\(request)")
            XCTAssertEqual(response.tokenCount, e.tokenCount, "\(request)")
            XCTAssertEqual(response.isGreedy, e.isGreedy, "\(request)")
        }
        XCTAssertTrue(ll.contains { $0.isGreedy } && ll.contains { !$0.isGreedy }, "both greedy and non-greedy answers are covered")
        XCTAssertEqual(ll.first { _ in true }?.tokenCount, 1)
        // Rolling: every token but the first.
        for (request, response) in zip(Self.texts, rolling) {
            let tokens = FakeModel.tokenize(request.text)
            let sum = (1 ..< tokens.count).map { FakeModel.logprob(tokens[$0], after: tokens[$0 - 1]) }.reduce(0, +)
            XCTAssertEqual(response.tokenCount, tokens.count - 1)
            XCTAssertEqual(response.logLikelihood, sum, accuracy: 1e-9)
        }
    }

    func testEchoRequestFields() async throws {
        let bodies = try await FakeOpenAIServer.with { url, recorder in
            _ = try await Self.evaluate(Self.settings(url))
            return await recorder.completionBodies()
        }
        let first = try XCTUnwrap(bodies.first)
        XCTAssertEqual(first.echo, true)
        XCTAssertEqual(first.logprobs, 1)
        XCTAssertEqual(first.maxTokens, 0)
        XCTAssertEqual(first.model, "fake-model")
        XCTAssertEqual(first.prompt, .single(Self.requests[0].context + Self.requests[0].continuation))
    }

    func testBOSAndRejectedMaxTokensZeroGiveTheSameAnswers() async throws {
        let clean = try await FakeOpenAIServer.with { url, _ in try await Self.evaluate(Self.settings(url)) }
        let (odd, bodies) = try await FakeOpenAIServer.with(FakeBehavior(bos: true, rejectMaxTokensZero: true)) { url, recorder in
            (try await Self.evaluate(Self.settings(url, batchSize: 3)), await recorder.completionBodies())
        }
        XCTAssertEqual(clean.0, odd.0)
        // With a BOS the first word of a text is scored too.
        for (request, response) in zip(Self.texts, odd.1) {
            let tokens = ["<s>"] + FakeModel.tokenize(request.text)
            let sum = (1 ..< tokens.count).map { FakeModel.logprob(tokens[$0], after: tokens[$0 - 1]) }.reduce(0, +)
            XCTAssertEqual(response.tokenCount, tokens.count - 1)
            XCTAssertEqual(response.logLikelihood, sum, accuracy: 1e-9)
        }
        XCTAssertEqual(bodies.filter { $0.maxTokens == 0 }.count, 1, "max_tokens 0 is tried once")
        XCTAssertTrue(bodies.dropFirst().allSatisfy { $0.maxTokens == 1 })
    }

    func testBatchingSendsListPromptsAndPlacesAnswersByIndex() async throws {
        let one = try await FakeOpenAIServer.with { url, _ in try await Self.evaluate(Self.settings(url, batchSize: 1)) }
        let (batched, bodies) = try await FakeOpenAIServer.with(FakeBehavior(reverseChoices: true)) { url, recorder in
            (try await Self.evaluate(Self.settings(url, batchSize: 5)), await recorder.completionBodies())
        }
        XCTAssertEqual(one.0, batched.0)
        XCTAssertEqual(one.1, batched.1)
        // 96 log-likelihood prompts in 20 requests (19 of 5, 1 of 1), 10 texts in 2.
        XCTAssertEqual(bodies.count, 20 + 2)
        XCTAssertEqual(bodies.map { $0.prompt.prompts.count }.max(), 5)
        guard case .list = bodies[0].prompt else { return XCTFail("a batch is a list prompt") }
    }

    func testConcurrencyOneAndSixteenGiveIdenticalResults() async throws {
        let behavior = FakeBehavior(delaySeconds: 0.02)
        let (serial, serialMax) = try await FakeOpenAIServer.with(behavior) { url, recorder in
            (try await Self.evaluate(Self.settings(url, concurrency: 1)), await recorder.maxInFlight)
        }
        let (parallel, parallelMax) = try await FakeOpenAIServer.with(behavior) { url, recorder in
            (try await Self.evaluate(Self.settings(url, concurrency: 16)), await recorder.maxInFlight)
        }
        XCTAssertEqual(serial.0, parallel.0)
        XCTAssertEqual(serial.1, parallel.1)
        XCTAssertEqual(serialMax, 1)
        XCTAssertGreaterThan(parallelMax, 4, "requests overlap")
        XCTAssertLessThanOrEqual(parallelMax, 16)
    }

    func testFailuresAndStallsAreRetriedToTheCleanResult() async throws {
        let clean = try await FakeOpenAIServer.with { url, _ in try await Self.evaluate(Self.settings(url)) }
        let behavior = FakeBehavior(failureRate: 0.3, stallRate: 0.1, stallSeconds: 1.0)
        let (faulty, faults) = try await FakeOpenAIServer.with(behavior) { url, recorder in
            (try await Self.evaluate(Self.settings(url, concurrency: 8, batchSize: 2, timeout: 0.3, retries: 12)), await recorder.faults)
        }
        XCTAssertGreaterThan(faults, 5, "the server did misbehave")
        XCTAssertEqual(clean.0, faulty.0)
        XCTAssertEqual(clean.1, faulty.1)
    }

    func testServerGoneForGoodIsAClearErrorAfterRetries() async throws {
        // Nothing listens on port 1.
        let model = try OpenAILanguageModel(settings: Self.settings("http://127.0.0.1:1/v1", timeout: 1, retries: 2))
        do {
            _ = try await model.loglikelihood(Array(Self.requests.prefix(2)))
            XCTFail("no error")
        } catch let error as OpenAIBackendError {
            guard case .retriesExhausted(let url, let attempts, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(url, "http://127.0.0.1:1/v1/completions")
            XCTAssertEqual(attempts, 3)
            XCTAssertTrue(error.description.contains("failed after 3 attempts"), error.description)
        }
        await model.shutdown()
    }

    func testPersistent503IsAClearErrorNamingTheStatus() async throws {
        try await FakeOpenAIServer.with(FakeBehavior(alwaysStatus: 503)) { url, recorder in
            let model = try OpenAILanguageModel(settings: Self.settings(url, retries: 3))
            do {
                _ = try await model.loglikelihood(Array(Self.requests.prefix(1)))
                XCTFail("no error")
            } catch let error as OpenAIBackendError {
                XCTAssertTrue(error.description.contains("\(url)/completions failed after 4 attempts; last error: HTTP 503"), error.description)
            }
            let count = await recorder.seen.count
            XCTAssertEqual(count, 4)
            await model.shutdown()
        }
    }

    func testClientErrorsAreNotRetried() async throws {
        try await FakeOpenAIServer.with(FakeBehavior(alwaysStatus: 404)) { url, recorder in
            let model = try OpenAILanguageModel(settings: Self.settings(url))
            do {
                _ = try await model.generate([GenerationRequest(context: "x", maxTokens: 3)])
                XCTFail("no error")
            } catch let error as OpenAIBackendError {
                guard case .httpStatus(_, 404, _) = error else { return XCTFail("\(error)") }
            }
            let count = await recorder.seen.count
            XCTAssertEqual(count, 1)
            await model.shutdown()
        }
    }

    func testServerWithoutPromptLogprobsIsDetected() async throws {
        for behavior in [FakeBehavior(ignoreEcho: true), FakeBehavior(noLogprobs: true)] {
            try await FakeOpenAIServer.with(behavior) { url, _ in
                let model = try OpenAILanguageModel(settings: Self.settings(url))
                do {
                    try await model.checkPromptLogprobs()
                    XCTFail("no error")
                } catch let error as OpenAIBackendError {
                    guard case .noPromptLogprobs = error else { return XCTFail("\(error)") }
                    XCTAssertTrue(error.description.contains("this server does not return prompt logprobs; log-likelihood tasks (multiple_choice, loglikelihood, loglikelihood_rolling) need echo+logprobs on /v1/completions"), error.description)
                    XCTAssertTrue(error.description.contains("only generate_until tasks can run"))
                }
                // Generation still works.
                let g = try await model.generate([GenerationRequest(context: "Q", stopSequences: ["STOP"], maxTokens: 5)])
                XCTAssertEqual(g.count, 1)
                await model.shutdown()
            }
        }
    }

    func testGenerationSendsSamplingFieldsAndCutsAtStop() async throws {
        let requests = (0 ..< 6).map { i in
            GenerationRequest(context: "Q\(i):", stopSequences: ["STOP", "\n\n"], maxTokens: 17, temperature: 0.7, topP: 0.9, seed: 99)
        }
        let (answers, bodies) = try await FakeOpenAIServer.with { url, recorder in
            let model = try OpenAILanguageModel(settings: Self.settings(url, concurrency: 3, batchSize: 4))
            let answers = try await model.generate(requests)
            await model.shutdown()
            return (answers, await recorder.completionBodies())
        }
        XCTAssertEqual(answers.map(\.text), Array(repeating: " answer(seed=99,t=0.7,p=0.9,n=17) ", count: 6))
        XCTAssertEqual(answers.map(\.finishReason), Array(repeating: .stop, count: 6))
        XCTAssertEqual(answers[0].tokenCount, 3)
        XCTAssertEqual(bodies.count, 6, "one prompt per generation request")
        for body in bodies {
            XCTAssertEqual(body.stop, ["STOP", "\n\n"])
            XCTAssertEqual(body.seed, 99)
            XCTAssertEqual(body.temperature, 0.7)
            XCTAssertEqual(body.topP, 0.9)
            XCTAssertEqual(body.maxTokens, 17)
            XCTAssertNil(body.echo)
        }
        XCTAssertEqual(Set(bodies.map { $0.prompt.prompts[0] }), Set(requests.map(\.context)))
    }

    func testChatGeneration() async throws {
        let (answers, seen) = try await FakeOpenAIServer.with { url, recorder in
            let model = try OpenAILanguageModel(settings: Self.settings(url, api: .chat))
            let a = try await model.generate([GenerationRequest(context: "Hello", stopSequences: ["zzz"], maxTokens: 8, temperature: 0, seed: 3)])
            await model.shutdown()
            return (a, await recorder.seen)
        }
        XCTAssertEqual(answers.map(\.text), ["chat reply to Hello"])
        XCTAssertEqual(seen.map(\.path), ["/v1/chat/completions"])
        let body = try JSONDecoder().decode(ChatCompletionRequest.self, from: seen[0].body)
        XCTAssertEqual(body.messages, [ChatMessage(role: "user", content: "Hello")])
        XCTAssertEqual(body.stop, ["zzz"])
        XCTAssertEqual(body.seed, 3)
        XCTAssertEqual(body.temperature, 0)
    }

    func testAPIKeyIsSentAsBearerAndNeverInErrors() async throws {
        let key = "sk-test-\(UUID().uuidString)"
        try await FakeOpenAIServer.with(FakeBehavior(ignoreEcho: true)) { url, recorder in
            let model = try OpenAILanguageModel(settings: Self.settings(url, key: key))
            do {
                try await model.checkPromptLogprobs()
            } catch {
                XCTAssertFalse(String(describing: error).contains(key))
            }
            XCTAssertFalse(String(describing: model.settings).contains(key))
            let headers = await recorder.seen.map(\.authorization)
            XCTAssertFalse(headers.isEmpty)
            XCTAssertTrue(headers.allSatisfy { $0 == "Bearer \(key)" }, "\(headers.count) requests")
            await model.shutdown()
        }
    }

    func testFingerprintStability() throws {
        let without = try OpenAILanguageModel(settings: Self.settings("http://127.0.0.1:9/v1"))
        XCTAssertFalse(without.fingerprintIsStable)
        XCTAssertEqual(without.fingerprintNote, "cross-run cache reuse: off (no --model-revision)")
        var s = Self.settings("http://127.0.0.1:9/v1")
        s.revision = "abc123"
        let with = try OpenAILanguageModel(settings: s)
        XCTAssertTrue(with.fingerprintIsStable)
        XCTAssertNil(with.fingerprintNote)
        XCTAssertNotEqual(with.fingerprint, without.fingerprint)
        XCTAssertThrowsError(try OpenAILanguageModel(settings: Self.settings("ftp://x")))
    }
}
