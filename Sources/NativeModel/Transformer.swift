import Dispatch
import Foundation

/// Which positions' logits a forward pass returns.
public enum LogitSelection: Sendable {
    /// Every new position of every sequence, in order.
    case all
    /// Only the last new position of each sequence (generation).
    case last
}

/// The Llama-family decoder's forward pass (inference) over a batch of variable-length sequences.
///
/// Sequences are packed row after row into one matrix so that each projection is a single sgemm over
/// every token of the batch; attention runs per sequence and head against the `KVCache`.
public final class Transformer: @unchecked Sendable {
    public let weights: LlamaWeights
    public var config: TransformerConfig { weights.config }
    let rotary: RotaryEmbedding

    public init(weights: LlamaWeights) {
        BLAS.useSingleThreadedCalls()
        self.weights = weights
        self.rotary = RotaryEmbedding(config: weights.config)
    }

    /// Runs `sequences[i]` as the next tokens of cache slot `slots[i]` (appending to what the slot holds)
    /// and returns logits `[rows, vocab]`: one row per new token (`.all`) or per sequence (`.last`).
    ///
    /// Every sequence must be non-empty and fit its slot's remaining capacity; token ids must be in
    /// the vocabulary (checked by the caller).
    public func forward(_ sequences: [[Int]], cache: KVCache, slots: [Int], logits selection: LogitSelection) -> Tensor {
        precondition(sequences.count == slots.count)
        let c = config
        let d = c.hiddenSize, qDim = c.queryDim, kvDim = c.kvDim, ff = c.intermediateSize, hd = c.headDim
        let counts = sequences.map(\.count)
        let rows = counts.reduce(0, +)
        var offsets = [0]
        for n in counts { offsets.append(offsets.last! + n) }
        var positions: [Int] = []
        positions.reserveCapacity(rows)
        for (s, slot) in slots.enumerated() {
            precondition(counts[s] > 0 && cache.lengths[slot] + counts[s] <= cache.capacities[slot], "sequence does not fit its cache slot")
            positions += cache.lengths[slot] ..< cache.lengths[slot] + counts[s]
        }

        // Scratch that every step below overwrites in full.
        let x = Tensor(uninitialized: [rows, d])
        let xb = Tensor(uninitialized: [rows, d])
        let q = Tensor(uninitialized: [rows, qDim])
        let k = Tensor(uninitialized: [rows, kvDim])
        let v = Tensor(uninitialized: [rows, kvDim])
        let attention = Tensor(uninitialized: [rows, qDim])
        let gate = Tensor(uninitialized: [rows, ff])
        let up = Tensor(uninitialized: [rows, ff])
        let cos = Tensor(uninitialized: [rows, hd / 2])
        let sin = Tensor(uninitialized: [rows, hd / 2])
        rotary.table(positions: positions, cos: cos.pointer, sin: sin.pointer)

        var r = 0
        for sequence in sequences {
            for token in sequence {
                (x.pointer + r * d).update(from: weights.embedding.pointer + token * d, count: d)
                r += 1
            }
        }

        let parallelAttention = rows * (positions.max() ?? 0) * qDim >= 1 << 20
        for (l, layer) in weights.layers.enumerated() {
            RMSNorm.forward(x.pointer, weight: layer.attentionNorm.pointer, xb.pointer, rows: rows, dim: d, eps: c.rmsNormEps)
            Linear.forward(xb.pointer, rows: rows, inFeatures: d, [
                .init(weight: layer.wq.pointer, bias: layer.bq?.pointer, y: q.pointer, outFeatures: qDim),
                .init(weight: layer.wk.pointer, bias: layer.bk?.pointer, y: k.pointer, outFeatures: kvDim),
                .init(weight: layer.wv.pointer, bias: layer.bv?.pointer, y: v.pointer, outFeatures: kvDim),
            ])
            RotaryEmbedding.apply(q.pointer, rows: rows, heads: c.headCount, headDim: hd, stride: qDim, cos: cos.pointer, sin: sin.pointer)
            RotaryEmbedding.apply(k.pointer, rows: rows, heads: c.kvHeadCount, headDim: hd, stride: kvDim, cos: cos.pointer, sin: sin.pointer)
            for (s, slot) in slots.enumerated() {
                let start = cache.lengths[slot]
                (cache.keys(slot: slot, layer: l) + start * kvDim).update(from: k.pointer + offsets[s] * kvDim, count: counts[s] * kvDim)
                (cache.values(slot: slot, layer: l) + start * kvDim).update(from: v.pointer + offsets[s] * kvDim, count: counts[s] * kvDim)
            }
            let work = { (index: Int) in
                let s = index / c.headCount, head = index % c.headCount
                let slot = slots[s]
                CausalAttention.forward(
                    q: q.pointer + offsets[s] * qDim, qStride: qDim,
                    keys: cache.keys(slot: slot, layer: l), values: cache.values(slot: slot, layer: l), kvDim: kvDim,
                    out: attention.pointer + offsets[s] * qDim, n: counts[s], start: cache.lengths[slot],
                    heads: c.headCount, kvHeads: c.kvHeadCount, headDim: hd, head: head)
            }
            if parallelAttention {
                Parallel.forEach(sequences.count * c.headCount, work)
            } else {
                for index in 0 ..< sequences.count * c.headCount { work(index) }
            }
            // x += attention · Woᵀ (+ bo)
            Linear.forward(attention.pointer, rows: rows, inFeatures: qDim, weight: layer.wo.pointer, bias: layer.bo?.pointer, x.pointer, outFeatures: d, accumulate: true)

            RMSNorm.forward(x.pointer, weight: layer.mlpNorm.pointer, xb.pointer, rows: rows, dim: d, eps: c.rmsNormEps)
            Linear.forward(xb.pointer, rows: rows, inFeatures: d, [
                .init(weight: layer.wGate.pointer, bias: nil, y: gate.pointer, outFeatures: ff),
                .init(weight: layer.wUp.pointer, bias: nil, y: up.pointer, outFeatures: ff),
            ])
            SwiGLU.forward(gate: gate.pointer, up: up.pointer, count: rows * ff)
            Linear.forward(gate.pointer, rows: rows, inFeatures: ff, weight: layer.wDown.pointer, bias: nil, x.pointer, outFeatures: d, accumulate: true)
        }
        for (s, slot) in slots.enumerated() { cache.lengths[slot] += counts[s] }

        // Final norm and classifier on the selected rows only.
        let selected: [Int] = selection == .all ? Array(0 ..< rows) : (0 ..< sequences.count).map { offsets[$0 + 1] - 1 }
        let hidden = Tensor(uninitialized: [selected.count, d])
        for (i, row) in selected.enumerated() {
            RMSNorm.forward(x.pointer + row * d, weight: weights.finalNorm.pointer, hidden.pointer + i * d, rows: 1, dim: d, eps: c.rmsNormEps)
        }
        let logits = Tensor(uninitialized: [selected.count, c.vocabSize])
        Linear.forward(hidden.pointer, rows: selected.count, inFeatures: d, weight: weights.classifier.pointer, bias: nil, logits.pointer, outFeatures: c.vocabSize)
        return logits
    }
}
