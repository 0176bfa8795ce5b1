/// Scaled dot-product attention with a causal mask and grouped-query heads, over a `KVCache`.
enum CausalAttention {
    /// Attends `n` new query rows of one sequence, at positions `start ..< start + n`, to the keys and
    /// values at positions `0 ..< start + n` (already in `keys` / `values`, row stride `kvDim`).
    ///
    /// - `q`, `out`: `n` rows with stride `qStride`, heads side by side (`heads × headDim`).
    /// - `probabilities`: when non-nil, `heads × n × (start + n)` attention weights are stored there
    ///   (the backward pass needs them); otherwise a scratch buffer is used.
    static func forward(
        q: UnsafePointer<Float>, qStride: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, kvDim: Int,
        out: UnsafeMutablePointer<Float>, n: Int, start: Int, heads: Int, kvHeads: Int, headDim: Int,
        head: Int, probabilities: UnsafeMutablePointer<Float>? = nil
    ) {
        let length = start + n
        let group = heads / kvHeads
        let kvHead = head / group
        let scale = 1 / Float(headDim).squareRoot()
        let scores = probabilities ?? UnsafeMutablePointer<Float>.allocate(capacity: n * length)
        defer { if probabilities == nil { scores.deallocate() } }
        let kh = keys + kvHead * headDim
        let vh = values + kvHead * headDim
        // Row by row, each in a fixed order (`InvariantGEMM.dot`, then keys in position order), so a
        // query row's output depends only on that row and the keys and values it sees: the same
        // whether its sequence is scored alone, in a batch, or continued from a cached prefix.
        for r in 0 ..< n {
            let qr = q + r * qStride + head * headDim
            let row = scores + r * length
            let visible = start + r + 1
            var j = 0
            while j + 4 <= visible {
                let k0 = kh + j * kvDim
                let s = InvariantGEMM.dot4(qr, k0, k0 + kvDim, k0 + 2 * kvDim, k0 + 3 * kvDim, count: headDim)
                row[j] = s[0] * scale; row[j + 1] = s[1] * scale; row[j + 2] = s[2] * scale; row[j + 3] = s[3] * scale
                j += 4
            }
            while j < visible {
                row[j] = InvariantGEMM.dot(qr, kh + j * kvDim, count: headDim) * scale
                j += 1
            }
            let maximum = VectorMath.maximum(row, count: visible)
            let sum = VectorMath.expShifted(row, count: visible, shift: maximum)
            VectorMath.scale(row, count: visible, by: 1 / sum)
            (row + visible).update(repeating: 0, count: length - visible)
            weightedSum(row, count: visible, values: vh, stride: kvDim, width: headDim, into: out + r * qStride + head * headDim)
        }
    }

    /// `out[i] = Σ_j weights[j] · values[j·stride + i]` for `i < width`, `j` in order: each element
    /// one chain of fused multiply-adds, whichever of the loops below computes it.
    @inline(__always)
    static func weightedSum(
        _ weights: UnsafePointer<Float>, count: Int, values: UnsafePointer<Float>, stride: Int, width: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        typealias Lanes = InvariantGEMM.Lanes
        var i = 0
        // 32 columns at a time, reading each value row once.
        while i + 32 <= width {
            var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes()
            for j in 0 ..< count {
                let w = Lanes(repeating: weights[j]), v = values + j * stride + i
                a0 = a0.addingProduct(w, InvariantGEMM.load(v)); a1 = a1.addingProduct(w, InvariantGEMM.load(v + 8))
                a2 = a2.addingProduct(w, InvariantGEMM.load(v + 16)); a3 = a3.addingProduct(w, InvariantGEMM.load(v + 24))
            }
            let o = UnsafeMutableRawPointer(out + i)
            o.storeBytes(of: a0, as: Lanes.self); o.storeBytes(of: a1, toByteOffset: 32, as: Lanes.self)
            o.storeBytes(of: a2, toByteOffset: 64, as: Lanes.self); o.storeBytes(of: a3, toByteOffset: 96, as: Lanes.self)
            i += 32
        }
        while i + 8 <= width {
            var acc = InvariantGEMM.Lanes()
            for j in 0 ..< count {
                acc = acc.addingProduct(InvariantGEMM.Lanes(repeating: weights[j]), InvariantGEMM.load(values + j * stride + i))
            }
            UnsafeMutableRawPointer(out + i).storeBytes(of: acc, as: InvariantGEMM.Lanes.self)
            i += 8
        }
        while i < width {
            var s: Float = 0
            for j in 0 ..< count { s = s.addingProduct(weights[j], values[j * stride + i]) }
            out[i] = s
            i += 1
        }
    }
}

extension CausalAttention {
    /// Rows per block in the training kernels: a block of query rows `[r0, r1)` only meets keys
    /// `0 ..< r1`, so the products skip the masked upper blocks (about 40% of the work at n = 256).
    static let trainingBlock = 64

    /// Training-time forward for one query head of one sequence of `n` rows attended from position 0,
    /// computed by row blocks so that masked blocks are skipped. Same result as `forward` with
    /// `start == 0`; `probabilities` (`n × n`) receives row `r`'s weights in columns `0 ..< r + 1`
    /// and zeros up to the end of its block (entries right of the block are not written).
    static func forwardTraining(
        q: UnsafePointer<Float>, qStride: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, kvDim: Int,
        out: UnsafeMutablePointer<Float>, n: Int, heads: Int, kvHeads: Int, headDim: Int, head: Int,
        probabilities: UnsafeMutablePointer<Float>
    ) {
        let kvHead = head / (heads / kvHeads)
        let scale = 1 / Float(headDim).squareRoot()
        let qh = q + head * headDim, kh = keys + kvHead * headDim, vh = values + kvHead * headDim, oh = out + head * headDim
        var r0 = 0
        while r0 < n {
            let r1 = min(n, r0 + trainingBlock), rb = r1 - r0
            let p = probabilities + r0 * n
            BLAS.gemmNT(m: rb, n: r1, k: headDim, qh + r0 * qStride, lda: qStride, kh, ldb: kvDim, p, ldc: n, alpha: scale)
            for r in r0 ..< r1 {
                let row = probabilities + r * n
                let visible = r + 1
                let maximum = VectorMath.maximum(row, count: visible)
                let sum = VectorMath.expShifted(row, count: visible, shift: maximum)
                VectorMath.scale(row, count: visible, by: 1 / sum)
                (row + visible).update(repeating: 0, count: r1 - visible)
            }
            BLAS.gemmNN(m: rb, n: headDim, k: r1, p, lda: n, vh, ldb: kvDim, oh + r0 * qStride, ldc: qStride)
            r0 = r1
        }
    }

    /// The backward pass of `forwardTraining` for every query head of key/value head `kvHead` of one
    /// sequence of `n` rows, by the same row blocks.
    ///
    /// - `q`, `dOut`, `dQ`: `n` rows with stride `qStride` (all query heads side by side); `keys`,
    ///   `values`, `dKeys`, `dValues`: `n` rows with stride `kvDim`. `q` and `keys` are the rotated
    ///   values the forward pass used.
    /// - `probabilities`: the forward pass's saved weights, `heads × n × n` (head-major).
    /// - `scratch`: at least `n × n` floats.
    ///
    /// Writes the group's heads of `dQ` and this `kvHead`'s columns of `dKeys` / `dValues` (not added):
    /// `dP = dO Vᵀ`, `dV = Σ_heads Pᵀ dO`, `dS = P ⊙ (dP − rowsum(P ⊙ dP)) · scale`, `dQ = dS K`,
    /// `dK = Σ_heads dSᵀ Q`. Work items for different `kvHead`s or sequences touch disjoint memory.
    static func backward(
        dOut: UnsafePointer<Float>, q: UnsafePointer<Float>, qStride: Int,
        keys: UnsafePointer<Float>, values: UnsafePointer<Float>, kvDim: Int,
        probabilities: UnsafePointer<Float>, n: Int, heads: Int, kvHeads: Int, headDim: Int, kvHead: Int,
        dQ: UnsafeMutablePointer<Float>, dKeys: UnsafeMutablePointer<Float>, dValues: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let group = heads / kvHeads
        let scale = 1 / Float(headDim).squareRoot()
        let kh = keys + kvHead * headDim, vh = values + kvHead * headDim
        let dkh = dKeys + kvHead * headDim, dvh = dValues + kvHead * headDim
        for r in 0 ..< n {
            (dkh + r * kvDim).update(repeating: 0, count: headDim)
            (dvh + r * kvDim).update(repeating: 0, count: headDim)
        }
        for head in kvHead * group ..< (kvHead + 1) * group {
            let doh = dOut + head * headDim, qh = q + head * headDim, dqh = dQ + head * headDim
            let ph = probabilities + head * n * n
            var r0 = 0
            while r0 < n {
                let r1 = min(n, r0 + trainingBlock), rb = r1 - r0
                let p = ph + r0 * n, ds = scratch + r0 * n
                // dP = dO · Vᵀ for this block's rows and visible columns.
                BLAS.gemmNT(m: rb, n: r1, k: headDim, doh + r0 * qStride, lda: qStride, vh, ldb: kvDim, ds, ldc: n)
                // dV[0 ..< r1] += Pᵀ · dO.
                BLAS.gemmTN(m: r1, n: headDim, k: rb, p, lda: n, doh + r0 * qStride, ldb: qStride, dvh, ldc: kvDim, beta: 1)
                // dS = P ⊙ (dP − Σ_j P dP) · scale, in place of dP; zero right of the diagonal.
                for r in r0 ..< r1 {
                    let pr = ph + r * n, dsr = scratch + r * n
                    let visible = r + 1
                    var dot: Float = 0
                    for j in 0 ..< visible { dot += pr[j] * dsr[j] }
                    for j in 0 ..< visible { dsr[j] = pr[j] * (dsr[j] - dot) * scale }
                    (dsr + visible).update(repeating: 0, count: r1 - visible)
                }
                // dQ = dS · K;  dK[0 ..< r1] += dSᵀ · Q.
                BLAS.gemmNN(m: rb, n: headDim, k: r1, ds, lda: n, kh, ldb: kvDim, dqh + r0 * qStride, ldc: qStride)
                BLAS.gemmTN(m: r1, n: headDim, k: rb, ds, lda: n, qh + r0 * qStride, ldb: qStride, dkh, ldc: kvDim, beta: 1)
                r0 = r1
            }
        }
    }

    /// Training-time attention over a packed batch (no cache): sequence `s` occupies rows
    /// `offsets[s] ..< offsets[s + 1]` of `q` (`rows × heads·headDim`), `k` and `v`
    /// (`rows × kvHeads·headDim`), attends causally within itself from position 0, and writes its rows
    /// of `out`. The weights are saved in `probabilities` at `probabilityOffsets[s]` (`heads × n × n`
    /// per sequence, as `forwardTraining` leaves them). Runs in parallel over (sequence, head).
    static func forwardPacked(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
        offsets: [Int], probabilities: UnsafeMutablePointer<Float>, probabilityOffsets: [Int],
        heads: Int, kvHeads: Int, headDim: Int
    ) {
        let qDim = heads * headDim, kvDim = kvHeads * headDim
        let sequences = offsets.count - 1
        Parallel.forEach(sequences * heads) { index in
            let s = index / heads, head = index % heads
            let n = offsets[s + 1] - offsets[s]
            guard n > 0 else { return }
            forwardTraining(q: q + offsets[s] * qDim, qStride: qDim, keys: k + offsets[s] * kvDim, values: v + offsets[s] * kvDim,
                            kvDim: kvDim, out: out + offsets[s] * qDim, n: n, heads: heads, kvHeads: kvHeads,
                            headDim: headDim, head: head, probabilities: probabilities + probabilityOffsets[s] + head * n * n)
        }
    }

    /// The backward pass of `forwardPacked`: writes `dQ`, `dK`, `dV` (same layouts as `q`, `k`, `v`)
    /// from `dOut`. Runs in parallel over (sequence, key/value head), the query heads sharing a
    /// key/value head being processed by one task so that their `dK` / `dV` sums need no locks.
    static func backwardPacked(
        dOut: UnsafePointer<Float>, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        offsets: [Int], probabilities: UnsafePointer<Float>, probabilityOffsets: [Int],
        heads: Int, kvHeads: Int, headDim: Int,
        dQ: UnsafeMutablePointer<Float>, dK: UnsafeMutablePointer<Float>, dV: UnsafeMutablePointer<Float>
    ) {
        let qDim = heads * headDim, kvDim = kvHeads * headDim
        let sequences = offsets.count - 1
        Parallel.forEach(sequences * kvHeads) { index in
            let s = index / kvHeads, kvHead = index % kvHeads
            let n = offsets[s + 1] - offsets[s]
            guard n > 0 else { return }
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
            defer { scratch.deallocate() }
            let o = offsets[s]
            backward(dOut: dOut + o * qDim, q: q + o * qDim, qStride: qDim, keys: k + o * kvDim, values: v + o * kvDim,
                     kvDim: kvDim, probabilities: probabilities + probabilityOffsets[s], n: n, heads: heads,
                     kvHeads: kvHeads, headDim: headDim, kvHead: kvHead,
                     dQ: dQ + o * qDim, dKeys: dK + o * kvDim, dValues: dV + o * kvDim, scratch: scratch)
        }
    }
}
