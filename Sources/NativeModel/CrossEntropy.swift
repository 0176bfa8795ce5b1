import Foundation

/// Token-level cross-entropy of a causal language model, with Hugging Face's conventions
/// (`ForCausalLMLoss`): labels equal to `CrossEntropy.ignoreIndex` (-100) are not counted, and the
/// logits at position `t` of a sequence predict the label at position `t + 1` (the "shift"), so the
/// last position of every sequence predicts nothing.
///
/// The training loss of a batch is the mean over every counted target of the batch:
/// `loss = Σ_sequences Σ_{t < n−1, labels[t+1] ≠ −100} −log softmax(logits[t])[labels[t+1]] / N`,
/// `N` being the number of counted targets in the whole batch (not a mean of per-sequence means).
/// This equals what transformers computes for the right-padded batch with pads labelled -100.
enum CrossEntropy {
    /// The label of a position that is not trained on.
    static let ignoreIndex = -100

    /// One target per row of the packed batch: row `t` of sequence `s` gets `labels[s][t + 1]`, the
    /// last row of each sequence gets `ignoreIndex`. `labels[s]` has the length of sequence `s`.
    static func shiftedTargets(labels: [[Int]]) -> [Int] {
        var targets: [Int] = []
        targets.reserveCapacity(labels.reduce(0) { $0 + $1.count })
        for sequence in labels where !sequence.isEmpty {
            targets += sequence.dropFirst()
            targets.append(ignoreIndex)
        }
        return targets
    }

    /// The per-row weights matching ``shiftedTargets(labels:)``: row `t` of sequence `s` gets
    /// `weights[s][t + 1]`, the last row of each sequence 0.
    static func shiftedWeights(_ weights: [[Float]]) -> [Float] {
        var rows: [Float] = []
        rows.reserveCapacity(weights.reduce(0) { $0 + $1.count })
        for sequence in weights where !sequence.isEmpty {
            rows += sequence.dropFirst()
            rows.append(0)
        }
        return rows
    }

    /// The sum of the per-row losses `logsumexp(logits[r]) − logits[r][targets[r]]` over rows whose
    /// target is not `ignoreIndex`, in Double. With `gradientScale` non-nil, the logits are replaced
    /// in place by `gradientScale · (softmax(logits[r]) − onehot(targets[r]))` (zero rows where the
    /// target is ignored): the gradient of `gradientScale · sum`. Rows run in parallel.
    ///
    /// With `weights` (one per row), row `r`'s loss counts `weights[r]` times, in the sum and in
    /// its gradient (the `soft` regime's weighted loss).
    ///
    /// Targets must be `ignoreIndex` or in `0 ..< vocab`.
    static func loss(
        logits: UnsafeMutablePointer<Float>, rows: Int, vocab: Int, targets: [Int], gradientScale: Float?, weights: [Float]? = nil
    ) -> Double {
        precondition(targets.count == rows)
        precondition(weights == nil || weights!.count == rows, "one weight per row")
        let weights = weights ?? []
        let chunk = max(1, (1 << 16) / max(vocab, 1))
        let chunks = (rows + chunk - 1) / chunk
        var partial = [Double](repeating: 0, count: chunks)
        targets.withUnsafeBufferPointer { targets in
          weights.withUnsafeBufferPointer { weights in
            partial.withUnsafeMutableBufferPointer { partial in
                let partial = partial.baseAddress!
                Parallel.forEach(chunks) { c in
                    var total = 0.0
                    for r in c * chunk ..< min(rows, (c + 1) * chunk) {
                        let row = logits + r * vocab
                        let target = targets[r]
                        guard target != ignoreIndex else {
                            if gradientScale != nil { row.update(repeating: 0, count: vocab) }
                            continue
                        }
                        precondition(target >= 0 && target < vocab, "label \(target) outside the vocabulary")
                        let maximum = VectorMath.maximum(row, count: vocab)
                        let sum = VectorMath.sumExpShifted(row, count: vocab, shift: maximum)
                        let w: Float = weights.isEmpty ? 1 : weights[r]
                        total += Double(w) * (Double(maximum) + Foundation.log(sum) - Double(row[target]))
                        if let gradientScale {
                            let scale = gradientScale * w
                            VectorMath.expShifted(row, count: vocab, shift: maximum)
                            VectorMath.scale(row, count: vocab, by: Float(Double(scale) / sum))
                            row[target] -= scale
                        }
                    }
                    partial[c] = total
                }
            }
          }
        }
        return partial.reduce(0, +)
    }
}
