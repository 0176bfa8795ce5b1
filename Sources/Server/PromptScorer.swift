import Dispatch
import Foundation
import NativeModel

/// What one teacher-forced position says about the token that follows it.
public struct PositionScore: Sendable, Equatable {
    /// Natural-log probability of the actual next token.
    public var logprob: Double
    /// The `k` most likely next tokens, most likely first (ties: lower id first), with their
    /// natural-log probabilities; empty when `k` is 0.
    public var top: [TokenLogprob]
}

/// A token id with its natural-log probability.
public struct TokenLogprob: Sendable, Equatable {
    public var id: Int
    public var logprob: Double
}

/// Teacher-forced scoring with top-k alternatives, from the same forward pass as
/// `NativeLanguageModel.scores` (so the log-probs agree with it to float rounding, < 1e-6).
public enum PromptScorer {
    /// Scores every token after the first of each sequence: `result[s][i]` describes token `i + 1`
    /// of `sequences[s]` given tokens `0 ... i`. Sequences of fewer than 2 tokens give `[]`.
    ///
    /// Run it on the engine queue (``ServedModel/withEngine(_:)``).
    /// - Parameters:
    ///   - topK: how many alternatives to return per position (0 for none).
    /// - Throws: `EngineError.invalidInput` when a token id is outside the vocabulary or a sequence
    ///   is longer than the model's context plus one.
    public static func score(_ sequences: [[Int]], topK: Int, model: NativeLanguageModel) throws -> [[PositionScore]] {
        let config = model.config
        let vocab = config.vocabSize
        for s in sequences {
            if let bad = s.first(where: { $0 < 0 || $0 >= vocab }) {
                throw EngineError.invalidInput("token id \(bad) is outside the vocabulary (0..<\(vocab))")
            }
            guard s.count <= model.maxContextLength + 1 else {
                throw EngineError.invalidInput("a sequence of \(s.count) tokens is longer than the model's context (\(model.maxContextLength))")
            }
        }
        var results = [[PositionScore]](repeating: [], count: sequences.count)
        model.forEachTeacherForcedBatch(sequences) { batch, logits, targets in
            // Rows are independent: score them on every engine thread.
            var scored = [PositionScore](repeating: PositionScore(logprob: 0, top: []), count: targets.count)
            nonisolated(unsafe) let pointer = UnsafePointer(logits.pointer)
            let chunks = min(targets.count, max(1, EngineSettings.threadCount) * 4)
            withExtendedLifetime(logits) {
                scored.withUnsafeMutableBufferPointer { out in
                    nonisolated(unsafe) let out = out
                    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                        for r in stride(from: chunk, to: targets.count, by: chunks) {
                            out[r] = scoreRow(pointer + r * vocab, vocab: vocab, target: targets[r], topK: topK)
                        }
                    }
                }
            }
            var row = 0
            for index in batch {
                let n = sequences[index].count - 1
                results[index] = Array(scored[row ..< row + n])
                row += n
            }
        }
        return results
    }

    /// Log-softmax of one logits row: the target's log-prob and the `topK` best tokens.
    static func scoreRow(_ row: UnsafePointer<Float>, vocab: Int, target: Int, topK: Int) -> PositionScore {
        var maximum = row[0]
        for j in 1 ..< max(vocab, 1) where row[j] > maximum { maximum = row[j] }
        var sum = 0.0
        for j in 0 ..< vocab { sum += Foundation.exp(Double(row[j] - maximum)) }
        let logSum = Foundation.log(sum)
        func logprob(_ j: Int) -> Double { Double(row[j] - maximum) - logSum }
        var top: [TokenLogprob] = []
        let k = min(topK, vocab)
        if k > 0 {
            // Keep the k best ids in order: higher logit first, lower id first on ties.
            var best: [Int] = []
            best.reserveCapacity(k + 1)
            for j in 0 ..< vocab {
                if best.count == k, row[j] <= row[best[k - 1]] { continue }
                var position = best.count
                while position > 0, row[best[position - 1]] < row[j] { position -= 1 }
                best.insert(j, at: position)
                if best.count > k { best.removeLast() }
            }
            top = best.map { TokenLogprob(id: $0, logprob: logprob($0)) }
        }
        return PositionScore(logprob: logprob(target), top: top)
    }
}
