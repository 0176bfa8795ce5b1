import Harness

/// Trainable LoRA adapters inside a `TrainingPass`: for each adapted linear layer `y = x Wᵀ`, the
/// forward adds `s · (x Aᵀ) Bᵀ` and the backward produces `dA`, `dB` and the extra `dX`, with the
/// base weight `W` frozen (Hu et al. 2021; PEFT's layout: `A [r, in]`, `B [out, r]`, `s = alpha / r`),
/// with PEFT's dropout on the adapter path's input while training.
public final class LoRALayers: @unchecked Sendable {
    public let adapter: LoRAAdapter
    /// `dA`, `dB` per module (accumulated; zero them between optimiser steps).
    public let gradients: [String: (a: Tensor, b: Tensor)]
    /// `x Aᵀ` of the last forward pass, per module, for the backward pass.
    private var saved: [String: Tensor] = [:]
    /// The dropout mask of the last forward pass, per module (`0` or `1 / (1 - p)` per input element).
    private var masks: [String: Tensor] = [:]
    /// The adapter path's input after dropout, per module (when dropout applied).
    private var droppedInputs: [String: Tensor] = [:]

    /// PEFT's `lora_dropout`: the probability of zeroing each input element of the adapter path
    /// (not of the frozen base path) while training.
    public let dropout: Float
    /// Whether dropout applies (set by `TrainingPass` around a training forward pass).
    var isTraining = false
    private var random = SplitMix64(seed: 0)

    public init(adapter: LoRAAdapter, dropout: Float = 0) {
        precondition(dropout >= 0 && dropout < 1, "dropout must be in [0, 1)")
        self.adapter = adapter
        self.dropout = dropout
        gradients = adapter.modules.mapValues { (Tensor(zeros: $0.a.shape), Tensor(zeros: $0.b.shape)) }
    }

    /// Restarts the dropout masks' generator: the trainer reseeds per micro-batch, so that a resumed
    /// run draws the masks an uninterrupted one would.
    public func reseed(_ seed: UInt64) { random = SplitMix64(seed: seed) }

    /// `x` with this module's fresh dropout mask applied, or `x` itself when dropout is off.
    private func droppedInput(_ module: String, x: UnsafePointer<Float>, count: Int) -> UnsafePointer<Float> {
        guard isTraining, dropout > 0 else { masks[module] = nil; return x }
        let mask = Tensor(uninitialized: [count])
        let dropped = Tensor(uninitialized: [count])
        let keep = 1 / (1 - dropout)
        for i in 0 ..< count {
            mask.pointer[i] = random.nextUniform() < dropout ? 0 : keep
            dropped.pointer[i] = x[i] * mask.pointer[i]
        }
        masks[module] = mask
        droppedInputs[module] = dropped
        return UnsafePointer(dropped.pointer)
    }

    var scale: Float { Float(adapter.scale) }

    /// The trainable tensors under PEFT's names (`base_model.model.<module>.lora_A.weight`), sorted.
    public var namedParameters: [(String, Tensor)] {
        adapter.modules.keys.sorted().flatMap { m in
            [(LoRAAdapter.peftName(m, "A"), adapter.modules[m]!.a), (LoRAAdapter.peftName(m, "B"), adapter.modules[m]!.b)]
        }
    }

    /// The gradients under the same names, in the same order.
    public var namedGradients: [(String, Tensor)] {
        adapter.modules.keys.sorted().flatMap { m in
            [(LoRAAdapter.peftName(m, "A"), gradients[m]!.a), (LoRAAdapter.peftName(m, "B"), gradients[m]!.b)]
        }
    }

    public func zeroGradients() { for (_, g) in gradients { g.a.zero(); g.b.zero() } }

    /// `y += s · (x Aᵀ) Bᵀ` when `module` is adapted.
    func forward(_ module: String, x: UnsafePointer<Float>, rows: Int, inFeatures: Int, y: UnsafeMutablePointer<Float>, outFeatures: Int) {
        guard let (a, b) = adapter.modules[module] else { return }
        let r = adapter.rank
        let t = saved[module].flatMap { $0.count >= rows * r ? $0 : nil } ?? Tensor(uninitialized: [rows, r])
        saved[module] = t
        let x = droppedInput(module, x: x, count: rows * inFeatures)
        ParallelGEMM.gemmNT(m: rows, n: r, k: inFeatures, x, lda: inFeatures, a.pointer, ldb: inFeatures, t.pointer, ldc: r)
        ParallelGEMM.gemmNT(m: rows, n: outFeatures, k: r, t.pointer, lda: r, b.pointer, ldb: r, y, ldc: outFeatures, alpha: scale, beta: 1)
    }

    /// Given `dY` of the layer: `dB += s · dYᵀ (x̃ Aᵀ)`, `dA += s · (dY B)ᵀ x̃`, `dX += s · ((dY B) A) ⊙ m`,
    /// where `x̃ = x ⊙ m` is the input after dropout (`m` all ones without it).
    func backward(_ module: String, dY: UnsafePointer<Float>, rows: Int, outFeatures: Int, x: UnsafePointer<Float>, inFeatures: Int,
                  dX: UnsafeMutablePointer<Float>?) {
        guard let (a, b) = adapter.modules[module], let (da, db) = gradients[module], let t = saved[module] else { return }
        let r = adapter.rank
        ParallelGEMM.gemmTN(m: outFeatures, n: r, k: rows, dY, lda: outFeatures, t.pointer, ldb: r, db.pointer, ldc: r, alpha: scale, beta: 1)
        let u = Tensor(uninitialized: [rows, r])
        ParallelGEMM.gemmNN(m: rows, n: r, k: outFeatures, dY, lda: outFeatures, b.pointer, ldb: r, u.pointer, ldc: r)
        let mask = masks[module]
        let input = mask != nil ? UnsafePointer(droppedInputs[module]!.pointer) : x
        ParallelGEMM.gemmTN(m: r, n: inFeatures, k: rows, u.pointer, lda: r, input, ldb: inFeatures, da.pointer, ldc: inFeatures, alpha: scale, beta: 1)
        guard let dX else { return }
        if let mask {
            let extra = Tensor(uninitialized: [rows, inFeatures])
            ParallelGEMM.gemmNN(m: rows, n: inFeatures, k: r, u.pointer, lda: r, a.pointer, ldb: inFeatures, extra.pointer, ldc: inFeatures, alpha: scale)
            for i in 0 ..< rows * inFeatures { dX[i] += extra.pointer[i] * mask.pointer[i] }
        } else {
            ParallelGEMM.gemmNN(m: rows, n: inFeatures, k: r, u.pointer, lda: r, a.pointer, ldb: inFeatures, dX, ldc: inFeatures, alpha: scale, beta: 1)
        }
    }
}
