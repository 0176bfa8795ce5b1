/// The loss of one training batch: the sum of the token cross-entropies, the number of tokens that
/// counted, and their mean (the value that is minimised).
public struct TrainingLoss: Sendable, Equatable {
    /// Σ over counted targets of −log p(target), natural log.
    public var sum: Double
    /// Targets counted: labels (after the shift) that are not -100.
    public var countedTokens: Int
    /// `sum / countedTokens`; 0 when no token counts.
    public var mean: Double { countedTokens == 0 ? 0 : sum / Double(countedTokens) }
}

/// The training forward and backward pass of the Llama-family decoder over a batch of packed
/// variable-length sequences, with per-token loss masks (labels of -100).
///
/// Unlike `Transformer.forward` there is no KV cache: each sequence is attended from position 0, and
/// every activation the backward pass needs is kept (per layer: the residual input, both normalised
/// inputs and their inverse RMS, rotated queries and keys, values, attention weights and output, the
/// MLP's gate and up projections and its activation). Buffers are reused across calls of the same or
/// smaller size. Products run on `ParallelGEMM`, attention in parallel over (sequence, head).
///
/// The loss follows Hugging Face's causal-LM convention (see `CrossEntropy`): position `t` predicts
/// `labels[t + 1]`, labels of -100 are skipped, and the mean is over all counted targets of the batch.
/// Not thread-safe: one call at a time per instance.
public final class TrainingPass: @unchecked Sendable {
    /// The weights being trained (read, never written, by this type).
    public let weights: LlamaWeights
    /// The shape of the model (`weights.config`).
    public var config: TransformerConfig { weights.config }
    let rotary: RotaryEmbedding
    private var saved: Activations?
    /// Trainable LoRA adapters; when set, the base weights are frozen (their gradients are not
    /// computed, apart from the cheap norm-weight ones, which the caller ignores).
    public var lora: LoRALayers?

    /// A training pass over `weights`; makes BLAS calls single-threaded (the engine parallelises itself).
    public init(weights: LlamaWeights) {
        BLAS.useSingleThreadedCalls()
        self.weights = weights
        self.rotary = RotaryEmbedding(config: weights.config)
    }

    /// The loss of a batch without gradients (same forward as training).
    ///
    /// - Parameters:
    ///   - sequences: token ids, each sequence non-empty, ids in the vocabulary.
    ///   - labels: one label per token of each sequence (usually the token itself), -100 where the
    ///     token is not trained on; the label at `t + 1` is the target of position `t`.
    ///   - weights: optional per-token loss weights, as for `lossAndGradients` (`sum` is then weighted).
    public func loss(sequences: [[Int]], labels: [[Int]], weights: [[Float]]? = nil) -> TrainingLoss {
        let a = runForward(sequences: sequences, labels: labels)
        let sum = CrossEntropy.loss(logits: a.logits.pointer, rows: a.rows, vocab: config.vocabSize, targets: a.targets, gradientScale: nil,
                                    weights: weights.map(CrossEntropy.shiftedWeights))
        return TrainingLoss(sum: sum, countedTokens: a.counted)
    }

    /// Runs the forward pass and the backward pass of the batch's mean loss, adding
    /// d(loss)/d(weights) to `gradients` (which the caller zeroes between optimiser steps), and
    /// returns the loss.
    ///
    /// - Parameters:
    ///   - sequences: token ids, each sequence non-empty, ids in the vocabulary.
    ///   - labels: as for `loss(sequences:labels:)`.
    ///   - gradients: accumulated into (`+=`).
    ///   - normalizer: the divisor of the loss sum whose gradient is taken; default the batch's counted
    ///     tokens (the batch mean). Pass the total over several micro-batches to accumulate the
    ///     gradient of their joint mean. When no token counts and no normalizer is given, nothing is added.
    ///   - weights: optional per-token loss weights, one per label (`weights[s][t + 1]` scales the loss of
    ///     label `t + 1`): the minimised value is then Σ weight·nll / normalizer (`sum` is weighted too).
    @discardableResult
    public func lossAndGradients(sequences: [[Int]], labels: [[Int]], weights: [[Float]]? = nil, gradients: Gradients,
                                 normalizer: Int? = nil) -> TrainingLoss {
        precondition(gradients.config == config, "gradients shaped for another model")
        lora?.isTraining = true
        defer { lora?.isTraining = false }
        let a = runForward(sequences: sequences, labels: labels)
        let divisor = normalizer ?? a.counted
        let scale: Float = divisor > 0 ? 1 / Float(divisor) : 0
        if let weights { precondition(weights.count == labels.count && zip(weights, labels).allSatisfy { $0.count == $1.count }, "one weight per label") }
        let sum = CrossEntropy.loss(logits: a.logits.pointer, rows: a.rows, vocab: config.vocabSize, targets: a.targets, gradientScale: scale,
                                    weights: weights.map(CrossEntropy.shiftedWeights))
        if divisor > 0 { backward(a, tokens: sequences.flatMap { $0 }, gradients: gradients) }
        return TrainingLoss(sum: sum, countedTokens: a.counted)
    }

    // MARK: - Forward

    private func runForward(sequences: [[Int]], labels: [[Int]]) -> Activations {
        precondition(sequences.count == labels.count, "one label sequence per sequence")
        let c = config
        let d = c.hiddenSize, qDim = c.queryDim, kvDim = c.kvDim, ff = c.intermediateSize, hd = c.headDim
        var offsets = [0], probabilityOffsets = [0], positions: [Int] = []
        for (s, sequence) in sequences.enumerated() {
            precondition(!sequence.isEmpty && labels[s].count == sequence.count, "sequence \(s): empty, or labels of another length")
            offsets.append(offsets.last! + sequence.count)
            probabilityOffsets.append(probabilityOffsets.last! + c.headCount * sequence.count * sequence.count)
            positions += 0 ..< sequence.count
        }
        let rows = offsets.last!
        let a = activations(rows: rows, probabilityCount: probabilityOffsets.last!)
        a.rows = rows
        a.offsets = offsets
        a.probabilityOffsets = probabilityOffsets
        a.targets = CrossEntropy.shiftedTargets(labels: labels)
        a.counted = a.targets.reduce(0) { $0 + ($1 == CrossEntropy.ignoreIndex ? 0 : 1) }
        rotary.table(positions: positions, cos: a.cos.pointer, sin: a.sin.pointer)

        let tokens = sequences.flatMap { $0 }
        for t in tokens { precondition(t >= 0 && t < c.vocabSize, "token \(t) outside the vocabulary") }
        Embedding.forward(tokens: tokens, table: weights.embedding.pointer, dim: d, out: a.residual[0].pointer)
        for (l, w) in weights.layers.enumerated() {
            let s = a.layers[l]
            let x = a.residual[l].pointer
            RMSNorm.forward(x, weight: w.attentionNorm.pointer, s.xb1.pointer, rows: rows, dim: d, eps: c.rmsNormEps, inverseRMS: s.inv1.pointer)
            Linear.forward(s.xb1.pointer, rows: rows, inFeatures: d, [
                .init(weight: w.wq.pointer, bias: w.bq?.pointer, y: s.q.pointer, outFeatures: qDim),
                .init(weight: w.wk.pointer, bias: w.bk?.pointer, y: s.k.pointer, outFeatures: kvDim),
                .init(weight: w.wv.pointer, bias: w.bv?.pointer, y: s.v.pointer, outFeatures: kvDim),
            ])
            if let lora {
                let p = "model.layers.\(l).self_attn."
                lora.forward(p + "q_proj", x: s.xb1.pointer, rows: rows, inFeatures: d, y: s.q.pointer, outFeatures: qDim)
                lora.forward(p + "k_proj", x: s.xb1.pointer, rows: rows, inFeatures: d, y: s.k.pointer, outFeatures: kvDim)
                lora.forward(p + "v_proj", x: s.xb1.pointer, rows: rows, inFeatures: d, y: s.v.pointer, outFeatures: kvDim)
            }
            RotaryEmbedding.apply(s.q.pointer, rows: rows, heads: c.headCount, headDim: hd, stride: qDim, cos: a.cos.pointer, sin: a.sin.pointer)
            RotaryEmbedding.apply(s.k.pointer, rows: rows, heads: c.kvHeadCount, headDim: hd, stride: kvDim, cos: a.cos.pointer, sin: a.sin.pointer)
            CausalAttention.forwardPacked(q: s.q.pointer, k: s.k.pointer, v: s.v.pointer, out: s.attention.pointer, offsets: offsets,
                                          probabilities: s.probabilities.pointer, probabilityOffsets: probabilityOffsets,
                                          heads: c.headCount, kvHeads: c.kvHeadCount, headDim: hd)
            s.mid.pointer.update(from: x, count: rows * d)
            Linear.forward(s.attention.pointer, rows: rows, inFeatures: qDim, weight: w.wo.pointer, bias: w.bo?.pointer, s.mid.pointer, outFeatures: d, accumulate: true)
            lora?.forward("model.layers.\(l).self_attn.o_proj", x: s.attention.pointer, rows: rows, inFeatures: qDim, y: s.mid.pointer, outFeatures: d)

            RMSNorm.forward(s.mid.pointer, weight: w.mlpNorm.pointer, s.xb2.pointer, rows: rows, dim: d, eps: c.rmsNormEps, inverseRMS: s.inv2.pointer)
            Linear.forward(s.xb2.pointer, rows: rows, inFeatures: d, [
                .init(weight: w.wGate.pointer, bias: nil, y: s.gate.pointer, outFeatures: ff),
                .init(weight: w.wUp.pointer, bias: nil, y: s.up.pointer, outFeatures: ff),
            ])
            lora?.forward("model.layers.\(l).mlp.gate_proj", x: s.xb2.pointer, rows: rows, inFeatures: d, y: s.gate.pointer, outFeatures: ff)
            lora?.forward("model.layers.\(l).mlp.up_proj", x: s.xb2.pointer, rows: rows, inFeatures: d, y: s.up.pointer, outFeatures: ff)
            s.activated.pointer.update(from: s.gate.pointer, count: rows * ff)
            Self.splitRows(rows) { lo, hi in
                SwiGLU.forward(gate: s.activated.pointer + lo * ff, up: s.up.pointer + lo * ff, count: (hi - lo) * ff)
            }
            let next = a.residual[l + 1].pointer
            next.update(from: s.mid.pointer, count: rows * d)
            Linear.forward(s.activated.pointer, rows: rows, inFeatures: ff, weight: w.wDown.pointer, bias: nil, next, outFeatures: d, accumulate: true)
            lora?.forward("model.layers.\(l).mlp.down_proj", x: s.activated.pointer, rows: rows, inFeatures: ff, y: next, outFeatures: d)
        }
        RMSNorm.forward(a.residual[c.layerCount].pointer, weight: weights.finalNorm.pointer, a.hidden.pointer, rows: rows, dim: d,
                        eps: c.rmsNormEps, inverseRMS: a.invFinal.pointer)
        Linear.forward(a.hidden.pointer, rows: rows, inFeatures: d, weight: weights.classifier.pointer, bias: nil, a.logits.pointer, outFeatures: c.vocabSize)
        return a
    }

    // MARK: - Backward

    /// Backpropagates the gradient that `CrossEntropy.loss` left in `a.logits` down to the embedding.
    private func backward(_ a: Activations, tokens: [Int], gradients g: Gradients) {
        let c = config
        let d = c.hiddenSize, qDim = c.queryDim, kvDim = c.kvDim, ff = c.intermediateSize, hd = c.headDim
        let rows = a.rows
        let b = a.scratch
        let dx = b.dx.pointer, dxb = b.dxb.pointer
        // With LoRA the base weights are frozen: their products are skipped, only dX flows.
        let frozen = lora != nil
        Linear.backward(a.logits.pointer, rows: rows, outFeatures: c.vocabSize, x: a.hidden.pointer, inFeatures: d,
                        weight: weights.classifier.pointer, dX: dxb, dWeight: frozen ? nil : g.classifier.pointer, dBias: nil)
        Self.rmsNormBackward(dxb, x: a.residual[c.layerCount].pointer, weight: weights.finalNorm.pointer, inverseRMS: a.invFinal.pointer,
                         rows: rows, dim: d, dX: dx, accumulate: false, dWeight: g.finalNorm.pointer)
        for l in stride(from: c.layerCount - 1, through: 0, by: -1) {
            let w = weights.layers[l], gl = g.layers[l], s = a.layers[l]
            // MLP: residual += down(silu(gate(xb2)) * up(xb2)).
            Linear.backward(dx, rows: rows, outFeatures: d, x: s.activated.pointer, inFeatures: ff, weight: w.wDown.pointer,
                            dX: b.dh.pointer, dWeight: frozen ? nil : gl.wDown.pointer, dBias: nil)
            lora?.backward("model.layers.\(l).mlp.down_proj", dY: dx, rows: rows, outFeatures: d, x: s.activated.pointer, inFeatures: ff, dX: b.dh.pointer)
            Self.splitRows(rows) { lo, hi in
                let o = lo * ff
                SwiGLU.backward(b.dh.pointer + o, gate: s.gate.pointer + o, up: s.up.pointer + o,
                                dGate: b.dGate.pointer + o, dUp: b.dUp.pointer + o, count: (hi - lo) * ff)
            }
            Linear.backward(b.dGate.pointer, rows: rows, outFeatures: ff, x: s.xb2.pointer, inFeatures: d, weight: w.wGate.pointer,
                            dX: dxb, dWeight: frozen ? nil : gl.wGate.pointer, dBias: nil)
            Linear.backward(b.dUp.pointer, rows: rows, outFeatures: ff, x: s.xb2.pointer, inFeatures: d, weight: w.wUp.pointer,
                            dX: dxb, accumulateInput: true, dWeight: frozen ? nil : gl.wUp.pointer, dBias: nil)
            lora?.backward("model.layers.\(l).mlp.gate_proj", dY: b.dGate.pointer, rows: rows, outFeatures: ff, x: s.xb2.pointer, inFeatures: d, dX: dxb)
            lora?.backward("model.layers.\(l).mlp.up_proj", dY: b.dUp.pointer, rows: rows, outFeatures: ff, x: s.xb2.pointer, inFeatures: d, dX: dxb)
            Self.rmsNormBackward(dxb, x: s.mid.pointer, weight: w.mlpNorm.pointer, inverseRMS: s.inv2.pointer, rows: rows, dim: d,
                             dX: dx, accumulate: true, dWeight: gl.mlpNorm.pointer)
            // Attention: residual += o(attention(rope(q(xb1)), rope(k(xb1)), v(xb1))).
            Linear.backward(dx, rows: rows, outFeatures: d, x: s.attention.pointer, inFeatures: qDim, weight: w.wo.pointer,
                            dX: b.dAttention.pointer, dWeight: frozen ? nil : gl.wo.pointer, dBias: frozen ? nil : gl.bo?.pointer)
            lora?.backward("model.layers.\(l).self_attn.o_proj", dY: dx, rows: rows, outFeatures: d, x: s.attention.pointer, inFeatures: qDim, dX: b.dAttention.pointer)
            CausalAttention.backwardPacked(dOut: b.dAttention.pointer, q: s.q.pointer, k: s.k.pointer, v: s.v.pointer, offsets: a.offsets,
                                           probabilities: s.probabilities.pointer, probabilityOffsets: a.probabilityOffsets,
                                           heads: c.headCount, kvHeads: c.kvHeadCount, headDim: hd,
                                           dQ: b.dq.pointer, dK: b.dk.pointer, dV: b.dv.pointer)
            RotaryEmbedding.backward(b.dq.pointer, rows: rows, heads: c.headCount, headDim: hd, stride: qDim, cos: a.cos.pointer, sin: a.sin.pointer)
            RotaryEmbedding.backward(b.dk.pointer, rows: rows, heads: c.kvHeadCount, headDim: hd, stride: kvDim, cos: a.cos.pointer, sin: a.sin.pointer)
            Linear.backward(b.dq.pointer, rows: rows, outFeatures: qDim, x: s.xb1.pointer, inFeatures: d, weight: w.wq.pointer,
                            dX: dxb, dWeight: frozen ? nil : gl.wq.pointer, dBias: frozen ? nil : gl.bq?.pointer)
            Linear.backward(b.dk.pointer, rows: rows, outFeatures: kvDim, x: s.xb1.pointer, inFeatures: d, weight: w.wk.pointer,
                            dX: dxb, accumulateInput: true, dWeight: frozen ? nil : gl.wk.pointer, dBias: frozen ? nil : gl.bk?.pointer)
            Linear.backward(b.dv.pointer, rows: rows, outFeatures: kvDim, x: s.xb1.pointer, inFeatures: d, weight: w.wv.pointer,
                            dX: dxb, accumulateInput: true, dWeight: frozen ? nil : gl.wv.pointer, dBias: frozen ? nil : gl.bv?.pointer)
            if let lora {
                let p = "model.layers.\(l).self_attn."
                lora.backward(p + "q_proj", dY: b.dq.pointer, rows: rows, outFeatures: qDim, x: s.xb1.pointer, inFeatures: d, dX: dxb)
                lora.backward(p + "k_proj", dY: b.dk.pointer, rows: rows, outFeatures: kvDim, x: s.xb1.pointer, inFeatures: d, dX: dxb)
                lora.backward(p + "v_proj", dY: b.dv.pointer, rows: rows, outFeatures: kvDim, x: s.xb1.pointer, inFeatures: d, dX: dxb)
            }
            Self.rmsNormBackward(dxb, x: a.residual[l].pointer, weight: w.attentionNorm.pointer, inverseRMS: s.inv1.pointer, rows: rows, dim: d,
                             dX: dx, accumulate: true, dWeight: gl.attentionNorm.pointer)
        }
        if !frozen { Embedding.backward(tokens: tokens, dOut: dx, dim: d, dTable: g.embedding.pointer) }
    }

    // MARK: - Parallel elementwise steps

    /// Runs `body(lo, hi)` over contiguous row ranges covering `0 ..< rows`, one per core.
    private static func splitRows(_ rows: Int, _ body: (Int, Int) -> Void) {
        let parts = max(1, min(EngineSettings.threadCount, rows / 64))
        let size = (rows + parts - 1) / parts
        Parallel.forEach(parts) { p in
            let lo = p * size, hi = min(rows, lo + size)
            if lo < hi { body(lo, hi) }
        }
    }

    /// `RMSNorm.backward` split over rows, each part summing its weight gradient apart, then added up
    /// in order. The parts are set by the row count alone, so the sum does not depend on the threads.
    private static func rmsNormBackward(
        _ dY: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, inverseRMS: UnsafePointer<Float>,
        rows: Int, dim: Int, dX: UnsafeMutablePointer<Float>, accumulate: Bool, dWeight: UnsafeMutablePointer<Float>
    ) {
        let parts = max(1, min(8, rows / 64))
        if parts == 1 {
            RMSNorm.backward(dY, x: x, weight: weight, inverseRMS: inverseRMS, rows: rows, dim: dim, dX: dX, accumulate: accumulate, dWeight: dWeight)
            return
        }
        let size = (rows + parts - 1) / parts
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: parts * dim)
        defer { partial.deallocate() }
        partial.initialize(repeating: 0, count: parts * dim)
        Parallel.forEach(parts) { p in
            let lo = p * size, hi = min(rows, lo + size)
            guard lo < hi else { return }
            RMSNorm.backward(dY + lo * dim, x: x + lo * dim, weight: weight, inverseRMS: inverseRMS + lo, rows: hi - lo, dim: dim,
                             dX: dX + lo * dim, accumulate: accumulate, dWeight: partial + p * dim)
        }
        for p in 0 ..< parts { for i in 0 ..< dim { dWeight[i] += partial[p * dim + i] } }
    }

    // MARK: - Buffers

    private func activations(rows: Int, probabilityCount: Int) -> Activations {
        if let saved, saved.rowCapacity >= rows, saved.probabilityCapacity >= probabilityCount { return saved }
        let a = Activations(config: config, rows: max(rows, saved?.rowCapacity ?? 0),
                            probabilityCount: max(probabilityCount, saved?.probabilityCapacity ?? 0))
        saved = a
        return a
    }
}

/// What one layer's forward pass keeps for the backward pass (row capacity `rows`).
private final class LayerActivations {
    let xb1, inv1, q, k, v, probabilities, attention, mid, xb2, inv2, gate, up, activated: Tensor

    init(config c: TransformerConfig, rows: Int, probabilityCount: Int) {
        xb1 = Tensor(uninitialized: [rows, c.hiddenSize]); inv1 = Tensor(uninitialized: [rows])
        q = Tensor(uninitialized: [rows, c.queryDim]); k = Tensor(uninitialized: [rows, c.kvDim]); v = Tensor(uninitialized: [rows, c.kvDim])
        probabilities = Tensor(uninitialized: [probabilityCount]); attention = Tensor(uninitialized: [rows, c.queryDim])
        mid = Tensor(uninitialized: [rows, c.hiddenSize]); xb2 = Tensor(uninitialized: [rows, c.hiddenSize]); inv2 = Tensor(uninitialized: [rows])
        gate = Tensor(uninitialized: [rows, c.intermediateSize]); up = Tensor(uninitialized: [rows, c.intermediateSize])
        activated = Tensor(uninitialized: [rows, c.intermediateSize])
    }
}

/// Gradient scratch of the backward pass, overwritten layer after layer.
private final class BackwardScratch {
    let dx, dxb, dAttention, dq, dk, dv, dh, dGate, dUp: Tensor

    init(config c: TransformerConfig, rows: Int) {
        dx = Tensor(uninitialized: [rows, c.hiddenSize]); dxb = Tensor(uninitialized: [rows, c.hiddenSize])
        dAttention = Tensor(uninitialized: [rows, c.queryDim]); dq = Tensor(uninitialized: [rows, c.queryDim])
        dk = Tensor(uninitialized: [rows, c.kvDim]); dv = Tensor(uninitialized: [rows, c.kvDim])
        dh = Tensor(uninitialized: [rows, c.intermediateSize]); dGate = Tensor(uninitialized: [rows, c.intermediateSize])
        dUp = Tensor(uninitialized: [rows, c.intermediateSize])
    }
}

/// Every saved activation of a batch plus the backward scratch, sized for up to `rowCapacity` rows.
private final class Activations {
    let rowCapacity: Int
    let probabilityCapacity: Int
    /// `residual[l]`: the input of layer `l`; `residual[layerCount]`: the input of the final norm.
    let residual: [Tensor]
    let layers: [LayerActivations]
    let hidden, invFinal, logits, cos, sin: Tensor
    let scratch: BackwardScratch
    var rows = 0
    var offsets: [Int] = []
    var probabilityOffsets: [Int] = []
    var targets: [Int] = []
    var counted = 0

    init(config c: TransformerConfig, rows: Int, probabilityCount: Int) {
        rowCapacity = rows
        probabilityCapacity = probabilityCount
        residual = (0 ... c.layerCount).map { _ in Tensor(uninitialized: [rows, c.hiddenSize]) }
        layers = (0 ..< c.layerCount).map { _ in LayerActivations(config: c, rows: rows, probabilityCount: probabilityCount) }
        hidden = Tensor(uninitialized: [rows, c.hiddenSize]); invFinal = Tensor(uninitialized: [rows])
        logits = Tensor(uninitialized: [rows, c.vocabSize])
        cos = Tensor(uninitialized: [rows, c.headDim / 2]); sin = Tensor(uninitialized: [rows, c.headDim / 2])
        scratch = BackwardScratch(config: c, rows: rows)
    }
}
