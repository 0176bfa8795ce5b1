/// Trainable LoRA adapters inside a `TrainingPass`: for each adapted linear layer `y = x Wᵀ`, the
/// forward adds `s · (x Aᵀ) Bᵀ` and the backward produces `dA`, `dB` and the extra `dX`, with the
/// base weight `W` frozen (Hu et al. 2021; PEFT's layout: `A [r, in]`, `B [out, r]`, `s = alpha / r`).
public final class LoRALayers: @unchecked Sendable {
    public let adapter: LoRAAdapter
    /// `dA`, `dB` per module (accumulated; zero them between optimiser steps).
    public let gradients: [String: (a: Tensor, b: Tensor)]
    /// `x Aᵀ` of the last forward pass, per module, for the backward pass.
    private var saved: [String: Tensor] = [:]

    public init(adapter: LoRAAdapter) {
        self.adapter = adapter
        gradients = adapter.modules.mapValues { (Tensor(zeros: $0.a.shape), Tensor(zeros: $0.b.shape)) }
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
        ParallelGEMM.gemmNT(m: rows, n: r, k: inFeatures, x, lda: inFeatures, a.pointer, ldb: inFeatures, t.pointer, ldc: r)
        ParallelGEMM.gemmNT(m: rows, n: outFeatures, k: r, t.pointer, lda: r, b.pointer, ldb: r, y, ldc: outFeatures, alpha: scale, beta: 1)
    }

    /// Given `dY` of the layer: `dB += s · dYᵀ (x Aᵀ)`, `dA += s · (dY B)ᵀ x`, `dX += s · (dY B) A`.
    func backward(_ module: String, dY: UnsafePointer<Float>, rows: Int, outFeatures: Int, x: UnsafePointer<Float>, inFeatures: Int,
                  dX: UnsafeMutablePointer<Float>?) {
        guard let (a, b) = adapter.modules[module], let (da, db) = gradients[module], let t = saved[module] else { return }
        let r = adapter.rank
        ParallelGEMM.gemmTN(m: outFeatures, n: r, k: rows, dY, lda: outFeatures, t.pointer, ldb: r, db.pointer, ldc: r, alpha: scale, beta: 1)
        let u = Tensor(uninitialized: [rows, r])
        ParallelGEMM.gemmNN(m: rows, n: r, k: outFeatures, dY, lda: outFeatures, b.pointer, ldb: r, u.pointer, ldc: r)
        ParallelGEMM.gemmTN(m: r, n: inFeatures, k: rows, u.pointer, lda: r, x, ldb: inFeatures, da.pointer, ldc: inFeatures, alpha: scale, beta: 1)
        if let dX {
            ParallelGEMM.gemmNN(m: rows, n: inFeatures, k: r, u.pointer, lda: r, a.pointer, ldb: inFeatures, dX, ldc: inFeatures, alpha: scale, beta: 1)
        }
    }
}
