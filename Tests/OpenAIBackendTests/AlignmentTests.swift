import Harness
@testable import OpenAIBackend
import XCTest

/// `LogprobAlignment` on hand-written responses.
final class AlignmentTests: XCTestCase {
    func choice(_ tokens: [String], _ logprobs: [Double?], tops: [[String: Double]?]? = nil, offsets: [Int]? = nil, text: String? = nil) -> CompletionChoice {
        var o = 0
        let offs = offsets ?? tokens.map { t in defer { o += t.unicodeScalars.count }; return o }
        return CompletionChoice(index: 0, text: text, finishReason: "length",
                                logprobs: CompletionLogprobs(tokens: tokens, tokenLogprobs: logprobs, topLogprobs: tops, textOffset: offs))
    }

    func testLeadingSpaceContinuationAndTrailingSpaceContextGiveTheSameSplit() throws {
        let c = choice(["The", " sky", " is", " blue"], [nil, -1, -2, -0.5],
                       tops: [nil, ["x": -0.1, " sky": -1], [" is": -2], [" blue": -0.5, "y": -3]])
        let tokens = try LogprobAlignment.promptTokens(of: c, prompt: "The sky is blue", droppingLast: 0)
        for context in ["The sky is", "The sky is "] {
            let r = try LogprobAlignment.continuationScore(tokens, boundary: LogprobAlignment.boundary(context: context))
            XCTAssertEqual(r, LoglikelihoodResponse(logLikelihood: -0.5, isGreedy: true, tokenCount: 1), context)
        }
        let two = try LogprobAlignment.continuationScore(tokens, boundary: LogprobAlignment.boundary(context: "The sky"))
        XCTAssertEqual(two, LoglikelihoodResponse(logLikelihood: -2.5, isGreedy: true, tokenCount: 2))
        let three = try LogprobAlignment.continuationScore(tokens, boundary: LogprobAlignment.boundary(context: "The"))
        XCTAssertEqual(three.isGreedy, false, "' sky' is not the top-1 token")
    }

    func testStraddlingTokenCountsAsContext() throws {
        // "Score: ab" + "cd ef": " abcd" starts inside the context, so only " ef" is the continuation's.
        let c = choice(["Score:", " abcd", " ef"], [nil, -1.5, -0.25])
        let tokens = try LogprobAlignment.promptTokens(of: c, prompt: "Score: abcd ef", droppingLast: 0)
        let r = try LogprobAlignment.continuationScore(tokens, boundary: LogprobAlignment.boundary(context: "Score: ab"))
        XCTAssertEqual(r.logLikelihood, -0.25)
        XCTAssertEqual(r.tokenCount, 1)
        XCTAssertThrowsError(try LogprobAlignment.continuationScore(tokens, boundary: LogprobAlignment.boundary(context: "Score: abc d ef"))) // beyond the end
    }

    func testGeneratedTokenIsDroppedAndBOSPrefixIsAnchoredAtTheEnd() throws {
        // "<s>" shifts every offset by 3 and one generated token follows the prompt.
        let c = choice(["<s>", "Hi", " there", " gen"], [nil, -1, -2, -9], offsets: [0, 3, 5, 11], text: "Hi there gen")
        let tokens = try LogprobAlignment.promptTokens(of: c, prompt: "Hi there", droppingLast: 1)
        XCTAssertEqual(tokens.map(\.offset), [-3, 0, 2])
        let r = try LogprobAlignment.continuationScore(tokens, boundary: LogprobAlignment.boundary(context: "Hi"))
        XCTAssertEqual(r.logLikelihood, -2)
        XCTAssertEqual(LogprobAlignment.rollingScore(tokens), RollingLoglikelihoodResponse(logLikelihood: -3, tokenCount: 2))
    }

    func testOffsetsCountUnicodeScalars() throws {
        // "é" is one scalar here (precomposed); "👍🏽" is two scalars but one Character.
        let c = choice(["café", " 👍🏽", " ok"], [nil, -1, -0.5])
        XCTAssertEqual(c.logprobs?.textOffset, [0, 4, 7])
        let tokens = try LogprobAlignment.promptTokens(of: c, prompt: "café 👍🏽 ok", droppingLast: 0)
        let r = try LogprobAlignment.continuationScore(tokens, boundary: LogprobAlignment.boundary(context: "café 👍🏽"))
        // Without top_logprobs greediness is unknown, hence false.
        XCTAssertEqual(r, LoglikelihoodResponse(logLikelihood: -0.5, isGreedy: false, tokenCount: 1))
    }

    func testMissingEchoIsReportedAsNoPromptLogprobs() {
        let none = CompletionChoice(index: 0, text: "x", finishReason: "length", logprobs: nil)
        XCTAssertThrowsError(try LogprobAlignment.promptTokens(of: none, prompt: "a b", droppingLast: 0)) { error in
            guard case LogprobAlignment.Problem.noPromptLogprobs = error else { return XCTFail("\(error)") }
        }
        let generatedOnly = choice([" x"], [-0.5], text: " x")
        XCTAssertThrowsError(try LogprobAlignment.promptTokens(of: generatedOnly, prompt: "a b", droppingLast: 1)) { error in
            guard case LogprobAlignment.Problem.noPromptLogprobs = error else { return XCTFail("\(error)") }
        }
    }

    func testVLLMPromptLogprobs() throws {
        let c = CompletionChoice(index: 0, text: "", finishReason: "length", logprobs: nil,
                                 promptLogprobs: [nil,
                                                  ["11": PromptLogprob(logprob: -1, rank: 1, decodedToken: " sky"), "5": PromptLogprob(logprob: -3, rank: 2, decodedToken: "x")],
                                                  ["12": PromptLogprob(logprob: -2, rank: 2, decodedToken: " blue"), "7": PromptLogprob(logprob: -0.5, rank: 1, decodedToken: " red")]],
                                 promptTokenIds: [1, 11, 12])
        // The first token's text is unknown (""), which the end anchoring absorbs.
        let tokens = try LogprobAlignment.promptTokens(of: c, prompt: "The sky blue", droppingLast: 0)
        let r = try LogprobAlignment.continuationScore(tokens, boundary: LogprobAlignment.boundary(context: "The sky"))
        XCTAssertEqual(r, LoglikelihoodResponse(logLikelihood: -2, isGreedy: false, tokenCount: 1))
    }

    func testRetryPolicyFullJitterAndRetryAfter() {
        let p = RetryPolicy(maxRetries: 3, baseDelay: 1, maxDelay: 4)
        for retry in 1 ... 6 {
            let cap = min(4, pow(2, Double(retry - 1)))
            for _ in 0 ..< 50 { XCTAssertTrue((0 ... cap).contains(p.delay(beforeRetry: retry, retryAfter: nil))) }
        }
        XCTAssertEqual(p.delay(beforeRetry: 1, retryAfter: 7), 7)
        XCTAssertEqual(p.delay(beforeRetry: 1, retryAfter: 1000), 60)
        XCTAssertTrue(RetryPolicy.isRetryable(status: 429))
        XCTAssertTrue(RetryPolicy.isRetryable(status: 503))
        XCTAssertFalse(RetryPolicy.isRetryable(status: 400))
        XCTAssertFalse(RetryPolicy.isRetryable(status: 401))
    }

    func testAPIKeyNeverPrints() {
        let s = OpenAIClientSettings(baseURL: "http://h/v1/", modelName: "m", apiKey: APIKey("sk-secret-1"))
        XCTAssertEqual(s.baseURL, "http://h/v1")
        for text in [String(describing: s), String(reflecting: s), "\(s.apiKey!)", String(reflecting: s.apiKey!)] {
            XCTAssertFalse(text.contains("sk-secret-1"), text)
        }
        var dumped = ""
        dump(s, to: &dumped)
        XCTAssertFalse(dumped.contains("sk-secret-1"), dumped)
    }

    func testFingerprintDependsOnURLModelAndRevision() {
        let a = ModelFingerprint.remote(baseURL: "http://h/v1", model: "m", revision: nil)
        XCTAssertEqual(a, ModelFingerprint.remote(baseURL: "http://h/v1", model: "m", revision: nil))
        XCTAssertNotEqual(a.sha256, ModelFingerprint.remote(baseURL: "http://h/v1", model: "m", revision: "r1").sha256)
        XCTAssertNotEqual(a.sha256, ModelFingerprint.remote(baseURL: "http://h/v1", model: "n", revision: nil).sha256)
        XCTAssertNotEqual(a.sha256, ModelFingerprint.remote(baseURL: "http://g/v1", model: "m", revision: nil).sha256)
    }
}
