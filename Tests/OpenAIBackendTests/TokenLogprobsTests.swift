import Foundation
import Harness
import OpenAIBackend
import XCTest

/// Token log-probs through a server: token-id prompts with `echo`, in batches, answers placed by
/// index; a server that refuses `max_tokens: 0` is asked for one token that is dropped; a server
/// without prompt log-probs, or one that re-tokenizes, is a clear error.
final class TokenLogprobsTests: XCTestCase {
    static let sequences: [[Int]] = [[1, 5, 9, 2], [1], [1, 13, 4, 4, 4, 8, 30], [1, 2]]

    /// What the fake server answers: -(id % 7 + 1) / 8 for every token after the first.
    static func expected(_ ids: [Int]) -> [Double] { ids.dropFirst().map { -Double($0 % 7 + 1) / 8 } }

    func model(_ url: String, batchSize: Int) throws -> OpenAILanguageModel {
        try OpenAILanguageModel(settings: OpenAILanguageModelTests.settings(url, concurrency: 3, batchSize: batchSize))
    }

    /// Scores `sequences` in batches of `batchSize` against a server behaving as told; returns the
    /// answers and the completion requests the server saw.
    func score(_ sequences: [[Int]], batchSize: Int, against behavior: FakeBehavior) async throws -> ([TokenLogprobsResponse], [CompletionRequest]) {
        try await FakeOpenAIServer.with(behavior) { url, recorder in
            let model = try self.model(url, batchSize: batchSize)
            let answers = try await model.tokenLogprobs(sequences.map { TokenLogprobsRequest(tokens: $0) })
            await model.shutdown()
            return (answers, await recorder.completionBodies())
        }
    }

    /// What scoring one three-token prompt against a server behaving as told throws, described
    /// (`no error` when it throws nothing).
    func scoringError(against behavior: FakeBehavior) async throws -> String {
        try await FakeOpenAIServer.with(behavior) { url, _ -> String in
            let model = try self.model(url, batchSize: 2)
            defer { Task { await model.shutdown() } }
            do {
                _ = try await model.tokenLogprobs([TokenLogprobsRequest(tokens: [1, 2, 3])])
                return "no error"
            } catch {
                return String(describing: error)
            }
        }
    }

    func testTokenPromptsAreEchoedAndPlacedByIndex() async throws {
        var rejecting = FakeBehavior()
        rejecting.rejectMaxTokensZero = true
        for behavior in [FakeBehavior(), rejecting] {
            let (answers, bodies) = try await score(Self.sequences, batchSize: 3, against: behavior)
            XCTAssertEqual(answers.map(\.logProbs), Self.sequences.map(Self.expected))
            XCTAssertEqual(bodies.filter { $0.maxTokens == (behavior.rejectMaxTokensZero ? 1 : 0) }.count, 2, "two batches of at most 3")
            XCTAssertTrue(bodies.allSatisfy { $0.echo == true && $0.logprobs == 1 })
            XCTAssertEqual(bodies.last?.prompt, .tokens(Array(Self.sequences.suffix(1))))
        }
    }

    /// A server that does not echo token prompts' log-probs in `logprobs` but gives vLLM's
    /// `prompt_logprobs` when asked: asked once, then every batch asks for them.
    func testVLLMPromptLogprobsAreUsedWhenNothingIsEchoed() async throws {
        var behavior = FakeBehavior()
        behavior.promptLogprobsOnly = true
        let (answers, bodies) = try await score(Self.sequences, batchSize: 2, against: behavior)
        XCTAssertEqual(answers.map(\.logProbs), Self.sequences.map(Self.expected))
        XCTAssertEqual(bodies.count, 3, "the first batch is sent again with prompt_logprobs, the second asks at once")
        XCTAssertEqual(bodies.map { $0.promptLogprobs }, [nil, 1, 1])
    }

    func testAServerWithoutPromptLogprobsIsNamed() async throws {
        var behavior = FakeBehavior()
        behavior.noLogprobs = true
        let message = try await scoringError(against: behavior)
        XCTAssertTrue(message.contains("does not score token-id prompts"), message)
        XCTAssertTrue(message.contains("no logprobs.token_logprobs"), message)
    }

    func testAnAnswerForOtherTokensIsRefused() async throws {
        var behavior = FakeBehavior()
        behavior.ignoreEcho = true
        let message = try await scoringError(against: behavior)
        XCTAssertTrue(message.contains("1 echoed log-probs for a prompt of 3 tokens"), message)
    }
}
