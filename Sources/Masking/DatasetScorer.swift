import Tokenizers
import Foundation
import NativeModel

/// Scores tokenized examples with the frozen base model: one teacher-forced forward pass per
/// example, optionally through a ``ScoreCache``.
public struct DatasetScorer {
    public let model: NativeLanguageModel
    /// Examples scored per call to the engine (progress is reported after each chunk).
    public var chunkSize = 64

    public init(model: NativeLanguageModel) { self.model = model }

    /// Scores `examples`; `progress(done, total)` is called after each chunk.
    /// - Throws: the engine's error for a token outside the vocabulary or a sequence over the context.
    public func score(_ examples: [TokenizedExample], progress: ((Int, Int) -> Void)? = nil) throws -> [ScoredExample] {
        var out: [ScoredExample] = []
        out.reserveCapacity(examples.count)
        for start in stride(from: 0, to: examples.count, by: chunkSize) {
            let part = examples[start ..< min(start + chunkSize, examples.count)]
            let scores = try model.scores(part.map(\.inputIDs))
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
                      cacheURL: URL?, progress: ((Int, Int) -> Void)? = nil) throws -> (scores: [ScoredExample], cached: Bool) {
        let ids = examples.map(\.inputIDs)
        if let cacheURL, let cache = ScoreCache.load(from: cacheURL),
           cache.formatVersion == 1, cache.modelSHA256 == model.fingerprint.sha256, cache.dataSHA256 == dataSHA256,
           cache.chatFormat == chatFormat.rawValue, cache.maxSeqLen == maxSeqLen, cache.inputIDs == ids,
           zip(ids, cache.logProbs).allSatisfy({ $1.count == max(0, $0.count - 1) }) {
            return (zip(examples, cache.logProbs).map { ScoredExample(tokens: $0, logProbs: $1) }, true)
        }
        let scored = try score(examples, progress: progress)
        if let cacheURL {
            try ScoreCache(modelSHA256: model.fingerprint.sha256, dataSHA256: dataSHA256, chatFormat: chatFormat.rawValue,
                           maxSeqLen: maxSeqLen, inputIDs: ids, logProbs: scored.map(\.logProbs)).save(to: cacheURL)
        }
        return (scored, false)
    }
}
