import Foundation
import Harness
import Tokenizers

/// Scores tokenized examples with the frozen base model through token log-probs (the built-in
/// engine's teacher-forced forward pass, or a server's echoed prompt log-probs), optionally
/// through a ``ScoreCache``.
public struct DatasetScorer: Sendable {
    public let model: any LanguageModel
    /// Examples scored per call to the model (progress is reported after each chunk).
    public var chunkSize = 64

    public init(model: any LanguageModel) { self.model = model }

    /// Scores `examples`; `progress(done, total)` is called after each chunk.
    /// - Throws: the model's error for a token outside the vocabulary, a sequence over the
    ///   context, or a model that cannot give token log-probs.
    public func score(_ examples: [TokenizedExample], progress: ((Int, Int) -> Void)? = nil) async throws -> [ScoredExample] {
        var out: [ScoredExample] = []
        out.reserveCapacity(examples.count)
        for start in stride(from: 0, to: examples.count, by: chunkSize) {
            let part = examples[start ..< min(start + chunkSize, examples.count)]
            let scores = try await model.tokenLogprobs(part.map { TokenLogprobsRequest(tokens: $0.inputIDs) })
            for (example, score) in zip(part, scores) {
                out.append(ScoredExample(tokens: example, logProbs: example.inputIDs.count < 2 ? [] : score.logProbs))
            }
            progress?(out.count, examples.count)
        }
        return out
    }

    /// Scores through the cache file at `cacheURL`: reuses it when its key fields and token ids
    /// match, else scores and rewrites it. Returns the scores and whether the cache was used.
    public func score(_ examples: [TokenizedExample], dataSHA256: String, chatFormat: ChatFormat, maxSeqLen: Int,
                      cacheURL: URL?, progress: ((Int, Int) -> Void)? = nil) async throws -> (scores: [ScoredExample], cached: Bool) {
        let ids = examples.map(\.inputIDs)
        if let cacheURL, let cache = ScoreCache.load(from: cacheURL),
           cache.formatVersion == 1, cache.modelSHA256 == model.fingerprint.sha256, cache.dataSHA256 == dataSHA256,
           cache.chatFormat == chatFormat.rawValue, cache.maxSeqLen == maxSeqLen, cache.inputIDs == ids,
           zip(ids, cache.logProbs).allSatisfy({ $1.count == max(0, $0.count - 1) }) {
            return (zip(examples, cache.logProbs).map { ScoredExample(tokens: $0, logProbs: $1) }, true)
        }
        let scored = try await score(examples, progress: progress)
        if let cacheURL {
            try ScoreCache(modelSHA256: model.fingerprint.sha256, dataSHA256: dataSHA256, chatFormat: chatFormat.rawValue,
                           maxSeqLen: maxSeqLen, inputIDs: ids, logProbs: scored.map(\.logProbs)).save(to: cacheURL)
        }
        return (scored, false)
    }
}
