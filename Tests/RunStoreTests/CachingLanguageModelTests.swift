import Foundation
import Harness
import RunStore
import Synchronization
import TestSupport
import XCTest

/// A deterministic model that counts what it is asked.
final class CountingModel: LanguageModel, Sendable {
    let fingerprint = ModelFingerprint(sha256: String(repeating: "ab", count: 32), files: ["fake"])
    let maxContextLength = 100
    let asked = Mutex<[Int]>([])

    func loglikelihood(_ requests: [LoglikelihoodRequest]) async throws -> [LoglikelihoodResponse] {
        asked.withLock { $0.append(requests.count) }
        return requests.map { LoglikelihoodResponse(logLikelihood: -Double($0.context.count + $0.continuation.count) / 7, isGreedy: $0.continuation.count % 2 == 0, tokenCount: $0.continuation.count) }
    }
    func loglikelihoodRolling(_ requests: [RollingLoglikelihoodRequest]) async throws -> [RollingLoglikelihoodResponse] {
        asked.withLock { $0.append(requests.count) }
        return requests.map { RollingLoglikelihoodResponse(logLikelihood: -Double($0.text.count), tokenCount: $0.text.count) }
    }
    func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
        asked.withLock { $0.append(requests.count) }
        return requests.map { GenerationResponse(text: String($0.context.reversed()) + "\($0.seed)", tokenCount: $0.maxTokens, finishReason: .length) }
    }
}

final class CachingLanguageModelTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try scratchDirectory(prefix: "runstore") }

    static func requests(_ n: Int, offset: Int = 0) -> [LoglikelihoodRequest] {
        (offset ..< offset + n).map { LoglikelihoodRequest(context: "context \($0)", continuation: " answer \($0 % 5)") }
    }

    func requests(_ n: Int, offset: Int = 0) -> [LoglikelihoodRequest] {
        (offset ..< offset + n).map { LoglikelihoodRequest(context: "context \($0)", continuation: " answer \($0 % 5)") }
    }

    func testOnlyMissesReachTheModelAndAnswersSurviveReopening() async throws {
        let url = directory.appendingPathComponent("cache.sqlite")
        let inner = CountingModel()
        let first = CachingLanguageModel(model: inner, cache: try ResponseCache(url: url), modelKey: "m1")
        let direct = try await inner.loglikelihood(requests(10))
        inner.asked.withLock { $0 = [] }
        let a = try await first.loglikelihood(requests(6))
        XCTAssertEqual(inner.asked.withLock { $0 }, [6])
        XCTAssertEqual(a, Array(direct.prefix(6)))

        // A new process: a new cache object on the same file. 6 hits, 4 misses, one batch of 4.
        let second = CachingLanguageModel(model: inner, cache: try ResponseCache(url: url), modelKey: "m1")
        let b = try await second.loglikelihood(requests(10))
        XCTAssertEqual(b, direct)
        XCTAssertEqual(inner.asked.withLock { $0 }, [6, 4])
        XCTAssertEqual(second.statistics, .init(hits: 6, misses: 4))

        // Another model key shares nothing.
        let other = CachingLanguageModel(model: inner, cache: try ResponseCache(url: url), modelKey: "m2")
        _ = try await other.loglikelihood(requests(3))
        XCTAssertEqual(other.statistics, .init(hits: 0, misses: 3))
        let total = try await second.cache.count()
        XCTAssertEqual(total, 13)
    }

    func testRequestTypesAndFieldsAreKeyedApart() async throws {
        let inner = CountingModel()
        let model = CachingLanguageModel(model: inner, cache: try ResponseCache(url: directory.appendingPathComponent("c.sqlite")), modelKey: "m")
        let g1 = try await model.generate([GenerationRequest(context: "abc", maxTokens: 4, seed: 1)])
        let g2 = try await model.generate([GenerationRequest(context: "abc", maxTokens: 4, seed: 2)])
        XCTAssertNotEqual(g1, g2, "a different seed is a different request")
        let again = try await model.generate([GenerationRequest(context: "abc", maxTokens: 4, seed: 1)])
        XCTAssertEqual(again, g1)
        let rolling = try await model.loglikelihoodRolling([RollingLoglikelihoodRequest(text: "abc")])
        XCTAssertEqual(rolling.first?.tokenCount, 3)
        XCTAssertEqual(model.statistics, .init(hits: 1, misses: 3))
    }

    func testKeyIncludesTheAdapter() {
        let base = ModelFingerprint(sha256: "aa", files: [])
        XCTAssertEqual(CachingLanguageModel.key(fingerprint: base), "aa")
        XCTAssertEqual(CachingLanguageModel.key(fingerprint: base, adapter: ModelFingerprint(sha256: "bb", files: [])), "aa+bb")
    }

    /// Two writers on one file (as two processes sharing `--cache`): every answer lands, the file stays sound.
    func testConcurrentWritersDoNotCorruptTheFile() async throws {
        let url = directory.appendingPathComponent("shared.sqlite")
        let caches = [try ResponseCache(url: url), try ResponseCache(url: url)]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (w, cache) in caches.enumerated() {
                group.addTask {
                    let model = CachingLanguageModel(model: CountingModel(), cache: cache, modelKey: "m")
                    for batch in 0 ..< 20 {
                        // Overlapping ranges: both writers store some of the same requests.
                        _ = try await model.loglikelihood(Self.requests(25, offset: batch * 20 + w * 10))
                    }
                }
            }
            try await group.waitForAll()
        }
        let check = try await caches[0].integrityCheck()
        XCTAssertEqual(check, "ok")
        let count = try await caches[1].count(model: "m")
        XCTAssertEqual(count, 19 * 20 + 25 + 10)
        let reader = CachingLanguageModel(model: CountingModel(), cache: try ResponseCache(url: url), modelKey: "m")
        let all = try await reader.loglikelihood(requests(count))
        XCTAssertEqual(reader.statistics.misses, 0)
        let expected = try await CountingModel().loglikelihood(requests(count))
        XCTAssertEqual(all, expected)
    }

    func testAFileThatIsNotADatabaseIsAClearError() throws {
        let url = directory.appendingPathComponent("junk.sqlite")
        try Data("this is not sqlite at all, just text that fills a page".utf8).write(to: url)
        XCTAssertThrowsError(try ResponseCache(url: url)) { error in
            XCTAssertTrue(String(describing: error).contains(url.path), "\(error)")
            XCTAssertTrue(String(describing: error).contains("cannot be used"), "\(error)")
        }
    }
}
