import Dispatch
import Foundation

/// What a teacher-forced pass says about each token of a sequence after the first.
public struct TokenScores: Sendable, Equatable {
    /// `logProbs[i]` is the natural-log probability of token `i + 1` given tokens `0 ... i`.
    public var logProbs: [Double]
    /// `isGreedy[i]`: token `i + 1` is the model's most likely next token at position `i`.
    public var isGreedy: [Bool]
}

/// Per-row log-softmax statistics of a logits matrix, computed in parallel over rows.
enum LogSoftmax {
    /// For each row `r`, the log-probability of `targets[r]` and whether it is the row's first maximum.
    static func gather(logits: UnsafePointer<Float>, vocab: Int, targets: [Int]) -> [(Double, Bool)] {
        var out = [(Double, Bool)](repeating: (0, false), count: targets.count)
        out.withUnsafeMutableBufferPointer { result in
            let rowsPerChunk = max(1, (1 << 18) / max(vocab, 1))
            let chunks = (targets.count + rowsPerChunk - 1) / rowsPerChunk
            Parallel.forEach(chunks) { chunk in
                for r in chunk * rowsPerChunk ..< min(targets.count, (chunk + 1) * rowsPerChunk) {
                    let row = logits + r * vocab
                    let best = Sampler.argmax(row, count: vocab)
                    let maximum = row[best]
                    let sum = VectorMath.sumExpShifted(row, count: vocab, shift: maximum)
                    let target = targets[r]
                    result[r] = (Double(row[target] - maximum) - Foundation.log(sum), best == target)
                }
            }
        }
        return out
    }
}
