import Foundation

/// The AdamW optimizer (Loshchilov & Hutter, "Decoupled Weight Decay Regularization") exactly as
/// `torch.optim.AdamW` computes it, in Float like PyTorch's float32 parameters.
///
/// For each parameter `p` with gradient `g`, at step `t` (1 for the first update), rate `lr`:
///
///     p ← p · (1 − lr·λ)                       (decaying parameters only; λ = weightDecay)
///     m ← m + (1 − β1)(g − m)                  (torch's lerp)
///     v ← β2·v + (1 − β2)·g²
///     p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
///
/// Moments start at zero. Each distinct tensor is updated once per step even when it is listed
/// under two names (tied embeddings), and moments are kept per tensor. Updates run in parallel over
/// chunks of the parameters (`EngineSettings.threadCount`). Not thread-safe: one call at a time.
public final class AdamW: @unchecked Sendable {
    /// A parameter being optimised with its moment estimates.
    private struct Slot {
        let name: String
        let parameter: Tensor
        let expAvg: Tensor
        let expAvgSq: Tensor
        let decays: Bool
    }

    /// The hyper-parameters in use.
    public let configuration: AdamWConfiguration
    private let slots: [Slot]
    private let slotIndex: [String: Int]
    private let chunks: TensorChunks
    private var steps = 0

    /// An optimizer for `parameters` (Hugging Face names and the tensors it updates in place).
    ///
    /// - Parameters:
    ///   - parameters: the trainable tensors; a tensor listed twice (under any name) is kept once,
    ///     under its first name. Names must be unique.
    ///   - configuration: betas, epsilon, weight decay.
    ///   - decays: whether the named parameter gets weight decay (default `defaultDecay`).
    public init(parameters: [(String, Tensor)], configuration: AdamWConfiguration,
                decays: @escaping @Sendable (String) -> Bool = AdamW.defaultDecay) {
        var seen = Set<ObjectIdentifier>()
        var slots: [Slot] = []
        var index: [String: Int] = [:]
        for (name, tensor) in parameters {
            precondition(index[name] == nil, "AdamW: parameter '\(name)' listed twice")
            guard seen.insert(ObjectIdentifier(tensor)).inserted else { continue }
            index[name] = slots.count
            slots.append(Slot(name: name, parameter: tensor, expAvg: Tensor(zeros: tensor.shape),
                              expAvgSq: Tensor(zeros: tensor.shape), decays: decays(name)))
        }
        self.configuration = configuration
        self.slots = slots
        self.slotIndex = index
        self.chunks = TensorChunks(counts: slots.map(\.parameter.count))
    }

    /// Hugging Face Trainer's rule: no weight decay for biases and normalisation weights (names
    /// containing "norm", any case, or ending in ".bias"); every other parameter decays.
    public static func defaultDecay(_ name: String) -> Bool {
        !(name.lowercased().contains("norm") || name.hasSuffix(".bias"))
    }

    /// Optimizer steps taken so far (the `t` of the last update; 0 before the first).
    public var stepCount: Int { steps }

    /// The names of the optimised parameters, in order (tied duplicates removed).
    public var parameterNames: [String] { slots.map(\.name) }

    /// Whether the named parameter gets weight decay (nil when it is not optimised here).
    public func decays(_ name: String) -> Bool? { slotIndex[name].map { slots[$0].decays } }

    /// One update of every parameter from the gradient with the same name; increments `stepCount`
    /// first (t starts at 1).
    ///
    /// Every parameter must have a gradient of its shape; gradients of names that are not
    /// parameters here (frozen tensors, or `lm_head.weight` listed beside a tied embedding) are
    /// ignored. `learningRate` ≥ 0 (0 still advances the moments, as in PyTorch).
    public func step(gradients: [(String, Tensor)], learningRate: Double) {
        var byName: [String: Tensor] = [:]
        for (name, g) in gradients where slotIndex[name] != nil { byName[name] = g }
        let grads: [Tensor] = slots.map { slot in
            guard let g = byName[slot.name] else { preconditionFailure("AdamW: no gradient for parameter '\(slot.name)'") }
            precondition(g.shape == slot.parameter.shape,
                         "AdamW: gradient of '\(slot.name)' has shape \(g.shape), the parameter \(slot.parameter.shape)")
            return g
        }
        steps += 1
        let c = configuration
        let t = Double(steps)
        let biasCorrection1 = 1 - pow(c.beta1, t)
        let biasCorrection2Root = (1 - pow(c.beta2, t)).squareRoot()
        let stepSize = Float(learningRate / biasCorrection1)
        let biasRoot = Float(biasCorrection2Root)
        let decayFactor = Float(1 - learningRate * c.weightDecay)
        let applyDecay = c.weightDecay != 0
        let beta1Weight = Float(1 - c.beta1), beta2 = Float(c.beta2), beta2Weight = Float(1 - c.beta2)
        let epsilon = Float(c.epsilon)
        let slots = self.slots
        let chunks = self.chunks
        Parallel.forEach(chunks.count) { index in
            let (s, range) = chunks[index]
            let slot = slots[s]
            let p = slot.parameter.pointer + range.lowerBound
            let g = UnsafePointer(grads[s].pointer + range.lowerBound)
            let m = slot.expAvg.pointer + range.lowerBound
            let v = slot.expAvgSq.pointer + range.lowerBound
            let n = range.count
            // Multiplying by exactly 1 leaves non-decaying parameters unchanged bit for bit; one
            // pass over memory instead of two.
            Self.update(p, gradient: g, expAvg: m, expAvgSq: v, count: n,
                        factor: applyDecay && slot.decays ? decayFactor : 1, beta1Weight: beta1Weight, beta2: beta2,
                        beta2Weight: beta2Weight, biasRoot: biasRoot, epsilon: epsilon, stepSize: stepSize)
        }
    }

    /// The elementwise AdamW update of `count` elements, eight lanes at a time. (Square roots stay
    /// scalar: on Linux `squareRoot()` keeps C's errno path, which blocks auto-vectorisation; the
    /// loop is bound by memory traffic anyway.)
    private static func update(_ p: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
                               expAvg m: UnsafeMutablePointer<Float>, expAvgSq v: UnsafeMutablePointer<Float>, count: Int,
                               factor: Float, beta1Weight: Float, beta2: Float, beta2Weight: Float,
                               biasRoot: Float, epsilon: Float, stepSize: Float) {
        typealias Lanes = SIMD8<Float>
        var i = 0
        while i + 8 <= count {
            let pi = UnsafeRawPointer(p + i).loadUnaligned(as: Lanes.self) * factor
            let gi = UnsafeRawPointer(g + i).loadUnaligned(as: Lanes.self)
            let m0 = UnsafeRawPointer(m + i).loadUnaligned(as: Lanes.self)
            let v0 = UnsafeRawPointer(v + i).loadUnaligned(as: Lanes.self)
            let mi = m0 + beta1Weight * (gi - m0)
            let vi = v0 * beta2 + beta2Weight * gi * gi
            UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: Lanes.self)
            UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: Lanes.self)
            var root = Lanes()
            for j in 0 ..< 8 { root[j] = vi[j].squareRoot() }
            let updated = pi - stepSize * mi / (root / biasRoot + epsilon)
            UnsafeMutableRawPointer(p + i).storeBytes(of: updated, as: Lanes.self)
            i += 8
        }
        while i < count {   // the same arithmetic, one element at a time
            let pi = p[i] * factor
            let gi = g[i]
            let mi = m[i] + beta1Weight * (gi - m[i])
            let vi = v[i] * beta2 + beta2Weight * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] = pi - stepSize * mi / (vi.squareRoot() / biasRoot + epsilon)
            i += 1
        }
    }

    // MARK: - State

    /// Writes the optimizer state to a safetensors file (atomically): tensors `<name>.exp_avg` and
    /// `<name>.exp_avg_sq` (F32) per parameter and metadata `step` (the step count).
    public func save(to url: URL) throws {
        var tensors: [(name: String, tensor: Tensor)] = []
        for slot in slots {
            tensors.append((slot.name + ".exp_avg", slot.expAvg))
            tensors.append((slot.name + ".exp_avg_sq", slot.expAvgSq))
        }
        try SafeTensorsFile.write(tensors, metadata: ["step": String(steps), "format": "forgetbench-adamw"], to: url)
    }

    /// Restores the state written by `save(to:)`. Every parameter must have both moments with its
    /// shape and `step` must be a non-negative integer; otherwise throws `ModelLoadError` (one
    /// line naming the file) and leaves this optimizer unchanged.
    public func load(from url: URL) throws {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(url: url) } catch let error as ModelLoadError {
            throw ModelLoadError(path: error.path, problem: error.problem)
        }
        func fail(_ problem: String) -> ModelLoadError { ModelLoadError(path: url.path, problem: problem) }
        guard let stepText = file.metadata["step"] else { throw fail("no \"step\" in the metadata (not an AdamW state file?)") }
        guard let step = Int(stepText), step >= 0 else { throw fail("metadata \"step\" is '\(stepText)', expected a non-negative integer") }
        var loaded: [(Tensor, Tensor)] = []
        for slot in slots {
            var pair: [Tensor] = []
            for suffix in [".exp_avg", ".exp_avg_sq"] {
                let name = slot.name + suffix
                guard let entry = file.entries[name] else { throw fail("missing tensor '\(name)'") }
                guard entry.shape == slot.parameter.shape else {
                    throw fail("tensor '\(name)' has shape \(entry.shape), expected \(slot.parameter.shape)")
                }
                do { pair.append(try file.tensor(name)) } catch let error as ModelLoadError { throw fail(error.problem) }
            }
            loaded.append((pair[0], pair[1]))
        }
        let expected = Set(slots.flatMap { [$0.name + ".exp_avg", $0.name + ".exp_avg_sq"] })
        if let extra = file.entries.keys.sorted().first(where: { !expected.contains($0) }) {
            throw fail("tensor '\(extra)' belongs to no parameter of this optimizer (a state file of another model?)")
        }
        for (slot, (m, v)) in zip(slots, loaded) {
            slot.expAvg.pointer.update(from: m.pointer, count: m.count)
            slot.expAvgSq.pointer.update(from: v.pointer, count: v.count)
        }
        steps = step
    }
}
