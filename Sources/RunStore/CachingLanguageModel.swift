import Foundation
import Harness
import Synchronization

/// A `LanguageModel` that answers from a ``ResponseCache`` when it can and asks the wrapped model
/// only for the requests it has not seen, storing those answers as they arrive.
///
/// Answers are keyed by `modelKey` (the fingerprint of the weights, tokenizer and adapter: never
/// the model's name), the request type and the sha256 of the request's canonical JSON, so a rerun
/// of an interrupted evaluation recomputes only what was unfinished, and a base model evaluated
/// once is reused across regimes and runs. The misses of one call go to the wrapped model as one
/// batch, and are stored in one transaction after it returns.
public final class CachingLanguageModel: LanguageModel, Sendable {
    public let model: any LanguageModel
    public let cache: ResponseCache
    /// The cache's name for the model.
    public let modelKey: String

    /// Requests answered from the cache and by the model, since this object was made.
    public struct Statistics: Sendable, Equatable {
        public var hits: Int
        public var misses: Int
        public init(hits: Int = 0, misses: Int = 0) {
            self.hits = hits
            self.misses = misses
        }
    }
    private let counters = Mutex(Statistics())
    public var statistics: Statistics { counters.withLock { $0 } }

    public init(model: any LanguageModel, cache: ResponseCache, modelKey: String) {
        self.model = model
        self.cache = cache
        self.modelKey = modelKey
    }

    /// The key of a model: its fingerprint and, when one is merged, its adapter's.
    public static func key(fingerprint: ModelFingerprint, adapter: ModelFingerprint? = nil) -> String {
        adapter.map { "\(fingerprint.sha256)+\($0.sha256)" } ?? fingerprint.sha256
    }

    public var fingerprint: ModelFingerprint { model.fingerprint }
    public var maxContextLength: Int { model.maxContextLength }

    public func loglikelihood(_ requests: [LoglikelihoodRequest]) async throws -> [LoglikelihoodResponse] {
        try await answer(requests, kind: "loglikelihood") { try await self.model.loglikelihood($0) }
    }

    public func loglikelihoodRolling(_ requests: [RollingLoglikelihoodRequest]) async throws -> [RollingLoglikelihoodResponse] {
        try await answer(requests, kind: "rolling") { try await self.model.loglikelihoodRolling($0) }
    }

    public func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
        try await answer(requests, kind: "generation") { try await self.model.generate($0) }
    }

    /// Passed through uncached: masking keeps its own score cache, keyed by the data.
    public func tokenLogprobs(_ requests: [TokenLogprobsRequest]) async throws -> [TokenLogprobsResponse] {
        try await model.tokenLogprobs(requests)
    }

    private func answer<Request: Encodable & Sendable, Response: Codable & Sendable>(
        _ requests: [Request], kind: String, compute: @Sendable ([Request]) async throws -> [Response]
    ) async throws -> [Response] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let keys = try requests.map { ContentHash.sha256(try encoder.encode($0)) }
        let stored = try await cache.lookup(model: modelKey, kind: kind, requests: keys)
        var answers = [Response?](repeating: nil, count: requests.count)
        let decoder = JSONDecoder()
        var missing: [Int] = []
        for (i, key) in keys.enumerated() {
            if let body = stored[key] {
                do { answers[i] = try decoder.decode(Response.self, from: body) } catch {
                    throw RunStoreError.corrupt(path: cache.url.path, reason: "\(kind) answer \(key.prefix(12)): \(error)")
                }
            } else {
                missing.append(i)
            }
        }
        counters.withLock { $0.hits += requests.count - missing.count; $0.misses += missing.count }
        if !missing.isEmpty {
            let computed = try await compute(missing.map { requests[$0] })
            guard computed.count == missing.count else {
                throw RunStoreError.corrupt(path: cache.url.path, reason: "the model answered \(computed.count) of \(missing.count) \(kind) requests")
            }
            var entries: [(request: String, body: Data)] = []
            entries.reserveCapacity(missing.count)
            for (i, response) in zip(missing, computed) {
                answers[i] = response
                entries.append((keys[i], try encoder.encode(response)))
            }
            try await cache.store(model: modelKey, kind: kind, entries: entries)
        }
        return answers.map { $0! }
    }
}
