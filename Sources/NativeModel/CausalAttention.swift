/// Scaled dot-product attention with a causal mask and grouped-query heads, over a `KVCache`.
enum CausalAttention {
    /// Attends `n` new query rows of one sequence, at positions `start ..< start + n`, to the keys and
    /// values at positions `0 ..< start + n` (already in `keys` / `values`, row stride `kvDim`).
    ///
    /// - `q`, `out`: `n` rows with stride `qStride`, heads side by side (`heads × headDim`).
    ///
    /// Row by row, each in a fixed order (a score is `InvariantGEMM.dot` of the query and the key, the
    /// weights are summed with the values in position order), so a query row's output depends only
    /// on that row and the keys and values it sees: the same whether its sequence is scored alone, in
    /// a batch, or continued from a cached prefix. Several new rows (a prompt) take a faster route to
    /// the same scores: the keys transposed once, eight keys against eight rows per step (`scoreRows`,
    /// bit for bit `scores8`). Either way the weighted sums go two rows at a time (`weightedSums`, the
    /// same chains as `weightedSum`).
    static func forward(
        q: UnsafePointer<Float>, qStride: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, kvDim: Int,
        out: UnsafeMutablePointer<Float>, n: Int, start: Int, heads: Int, kvHeads: Int, headDim: Int, head: Int
    ) {
        let length = start + n
        let kvHead = head / (heads / kvHeads)
        let scale = 1 / Float(headDim).squareRoot()
        let kh = keys + kvHead * headDim, vh = values + kvHead * headDim
        let qh = q + head * headDim, oh = out + head * headDim
        // Keys transposed (`headDim` rows of `ldT ≥ length` positions, zero-padded to whole groups of
        // eight) pay off once a few query rows read them; the scores are then computed for every row
        // one block of keys at a time (the block's transposed keys stay in the level-1 cache).
        let transposed = n >= 4
        let ldT = transposed ? (length + 7) / 8 * 8 : 0
        // Score rows kept at once: a chunk of rows (bounded, so a long prompt's scratch stays small), or a pair.
        let chunk = transposed ? min(n, rowChunk) : 2
        scratch.withBuffer(count: chunk * length + headDim * ldT) { buffer in
            let kT = buffer + chunk * length
            if transposed { transpose(kh, stride: kvDim, rows: length, columns: headDim, into: kT, ldT: ldT) }
            var c0 = 0
            while c0 < n {
                let c1 = transposed ? min(n, c0 + chunk) : n
                if transposed {
                    for first in stride(from: 0, to: start + c1, by: keyBlock) {
                        // Eight rows at a time, each against the keys the last of them sees in this
                        // block (the scores past a row's own last key are written but never read).
                        var r = max(c0, first - start)
                        while r < c1 {
                            let rows = min(8, c1 - r), count = min(start + r + rows, first + keyBlock) - first
                            scoreRows(qh + r * qStride, qStride: qStride, rows: rows, kT + first, ldT: ldT, count: count,
                                      headDim: headDim, scale: scale, into: buffer + (r - c0) * length + first, rowStride: length)
                            r += rows
                        }
                    }
                }
                var r = c0
                while r < c1 {
                    // Two rows at a time: rows `r` and `r + 1` see `visible` and `visible + 1` keys.
                    let pair = min(2, c1 - r), visible = start + r + 1
                    let rows = transposed ? buffer + (r - c0) * length : buffer
                    for i in 0 ..< pair {
                        let row = rows + i * length
                        if !transposed {
                            scoreRow(qh + (r + i) * qStride, kh, stride: kvDim, count: visible + i, headDim: headDim, scale: scale, into: row)
                        }
                        let maximum = VectorMath.maximum(row, count: visible + i)
                        let sum = VectorMath.expShifted(row, count: visible + i, shift: maximum)
                        VectorMath.scale(row, count: visible + i, by: 1 / sum)
                    }
                    let o = oh + r * qStride
                    if pair == 2 {
                        weightedSums(rows, rows + length, count: visible, values: vh, stride: kvDim, width: headDim, into: o, o + qStride)
                    } else {
                        weightedSum(rows, count: visible, values: vh, stride: kvDim, width: headDim, into: o)
                    }
                    r += pair
                }
                c0 = c1
            }
        }
    }

    /// Query rows whose scores are kept at once on the many-rows route (even, so pairs stay in a chunk).
    static let rowChunk = 128

    /// Keys per block when the scores of many rows are computed together (a multiple of 8).
    static let keyBlock = 64

    /// The attention's scratch (a chunk or a pair of rows of weights, and the transposed keys), reused
    /// between calls.
    private static let scratch = ScratchPool(limit: 16)

    /// `row[j] = dot(q, key j) · scale` for `j < count`, keys `stride` apart.
    @inline(__always)
    private static func scoreRow(
        _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, stride: Int, count: Int, headDim: Int, scale: Float,
        into row: UnsafeMutablePointer<Float>
    ) {
        var j = 0
        while j + 4 <= count {
            let k0 = k + j * stride
            let s = InvariantGEMM.dot4(q, k0, k0 + stride, k0 + 2 * stride, k0 + 3 * stride, count: headDim) * scale
            row[j] = s[0]; row[j + 1] = s[1]; row[j + 2] = s[2]; row[j + 3] = s[3]
            j += 4
        }
        while j < count {
            row[j] = InvariantGEMM.dot(q, k + j * stride, count: headDim) * scale
            j += 1
        }
    }

    /// `scoreRow` from transposed keys (`kT[p·ldT + j]`) for `rows ≤ 8` query rows `qStride` apart,
    /// into rows of scores `rowStride` apart: each score bit for bit `scores8`'s. `scores8`'s eight chains are
    /// independent, so here they are evaluated one after another, each for the eight rows at once:
    /// a load of eight keys' elements then serves eight rows (rather than one), which halves the
    /// loads per multiply-add.
    @inline(__always)
    private static func scoreRows(
        _ q: UnsafePointer<Float>, qStride: Int, rows: Int, _ kT: UnsafePointer<Float>, ldT: Int, count: Int, headDim: Int,
        scale: Float, into out: UnsafeMutablePointer<Float>, rowStride: Int
    ) {
        typealias Lanes = InvariantGEMM.Lanes
        // Rows past `rows` repeat the last one (computed, not stored).
        let q0 = q, q1 = q + min(1, rows - 1) * qStride, q2 = q + min(2, rows - 1) * qStride, q3 = q + min(3, rows - 1) * qStride
        let q4 = q + min(4, rows - 1) * qStride, q5 = q + min(5, rows - 1) * qStride
        let q6 = q + min(6, rows - 1) * qStride, q7 = q + min(7, rows - 1) * qStride
        let full = headDim / 8
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 64) { chains in
            var j = 0
            while j < count {
                let k = kT + j
                for l in 0 ..< 8 {
                    var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes(), a4 = Lanes(), a5 = Lanes(), a6 = Lanes(), a7 = Lanes()
                    var p = l
                    for _ in 0 ..< full {
                        let kv = InvariantGEMM.load(k + p * ldT)
                        a0 = a0.addingProduct(Lanes(repeating: q0[p]), kv); a1 = a1.addingProduct(Lanes(repeating: q1[p]), kv)
                        a2 = a2.addingProduct(Lanes(repeating: q2[p]), kv); a3 = a3.addingProduct(Lanes(repeating: q3[p]), kv)
                        a4 = a4.addingProduct(Lanes(repeating: q4[p]), kv); a5 = a5.addingProduct(Lanes(repeating: q5[p]), kv)
                        a6 = a6.addingProduct(Lanes(repeating: q6[p]), kv); a7 = a7.addingProduct(Lanes(repeating: q7[p]), kv)
                        p += 8
                    }
                    let c = chains.baseAddress! + 8 * l
                    c[0] = a0; c[1] = a1; c[2] = a2; c[3] = a3; c[4] = a4; c[5] = a5; c[6] = a6; c[7] = a7
                }
                for r in 0 ..< rows {
                    // `scores8`'s tree over the chains, then its tail in order.
                    let c = chains.baseAddress! + r, qr = q + r * qStride
                    var s = ((c[0] + c[32]) + (c[16] + c[48])) + ((c[8] + c[40]) + (c[24] + c[56]))
                    var p = 8 * full
                    while p < headDim {
                        s = s.addingProduct(Lanes(repeating: qr[p]), InvariantGEMM.load(k + p * ldT))
                        p += 1
                    }
                    s *= scale
                    let row = out + r * rowStride + j
                    if j + 8 <= count {
                        UnsafeMutableRawPointer(row).storeBytes(of: s, as: Lanes.self)
                    } else {
                        for i in 0 ..< count - j { row[i] = s[i] }
                    }
                }
                j += 8
            }
        }
    }

    /// `InvariantGEMM.dot(q, key)` for eight keys at once, lane `i` holding key `i`'s (`kT` points at
    /// the first key's column of the transposed keys). Bit for bit the same as `dot`: lane chain `l`
    /// of `dot` (the products `p ≡ l mod 8` in order) is the accumulator `a[l]` here, the lanes are
    /// added in `dot`'s tree, and the last `count % 8` products follow in order.
    @inline(__always)
    static func scores8(_ q: UnsafePointer<Float>, _ kT: UnsafePointer<Float>, ldT: Int, count: Int) -> InvariantGEMM.Lanes {
        typealias Lanes = InvariantGEMM.Lanes
        func term(_ p: Int) -> (Lanes, Lanes) { (Lanes(repeating: q[p]), InvariantGEMM.load(kT + p * ldT)) }
        var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes(), a4 = Lanes(), a5 = Lanes(), a6 = Lanes(), a7 = Lanes()
        var p = 0
        while p + 8 <= count {
            var t = term(p); a0 = a0.addingProduct(t.0, t.1)
            t = term(p + 1); a1 = a1.addingProduct(t.0, t.1)
            t = term(p + 2); a2 = a2.addingProduct(t.0, t.1)
            t = term(p + 3); a3 = a3.addingProduct(t.0, t.1)
            t = term(p + 4); a4 = a4.addingProduct(t.0, t.1)
            t = term(p + 5); a5 = a5.addingProduct(t.0, t.1)
            t = term(p + 6); a6 = a6.addingProduct(t.0, t.1)
            t = term(p + 7); a7 = a7.addingProduct(t.0, t.1)
            p += 8
        }
        var s = ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7))
        while p < count {
            let t = term(p)
            s = s.addingProduct(t.0, t.1)
            p += 1
        }
        return s
    }

    /// `kT[c·ldT + r] = x[r·stride + c]` for `r < rows`, `c < columns`; columns `rows ..< ldT` zero.
    private static func transpose(
        _ x: UnsafePointer<Float>, stride: Int, rows: Int, columns: Int, into kT: UnsafeMutablePointer<Float>, ldT: Int
    ) {
        for c in 0 ..< columns {
            let dst = kT + c * ldT
            for r in 0 ..< rows { dst[r] = x[r * stride + c] }
            (dst + rows).update(repeating: 0, count: ldT - rows)
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
            store(out + i, a0, a1, a2, a3)
            i += 32
        }
        while i + 8 <= width {
            var acc = Lanes()
            for j in 0 ..< count {
                acc = acc.addingProduct(Lanes(repeating: weights[j]), InvariantGEMM.load(values + j * stride + i))
            }
            UnsafeMutableRawPointer(out + i).storeBytes(of: acc, as: Lanes.self)
            i += 8
        }
        while i < width {
            var s: Float = 0
            for j in 0 ..< count { s = s.addingProduct(weights[j], values[j * stride + i]) }
            out[i] = s
            i += 1
        }
    }

    /// `weightedSum` for two rows of weights at once, the first over `count` values and the second
    /// over `count + 1` (consecutive query rows), each element the same chain as `weightedSum`'s; the
    /// two rows share every load of a value row.
    @inline(__always)
    static func weightedSums(
        _ w0: UnsafePointer<Float>, _ w1: UnsafePointer<Float>, count: Int, values: UnsafePointer<Float>, stride: Int, width: Int,
        into out0: UnsafeMutablePointer<Float>, _ out1: UnsafeMutablePointer<Float>
    ) {
        typealias Lanes = InvariantGEMM.Lanes
        var i = 0
        while i + 32 <= width {
            var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes()
            var b0 = Lanes(), b1 = Lanes(), b2 = Lanes(), b3 = Lanes()
            for j in 0 ..< count {
                let x = Lanes(repeating: w0[j]), y = Lanes(repeating: w1[j]), v = values + j * stride + i
                var l = InvariantGEMM.load(v)
                a0 = a0.addingProduct(x, l); b0 = b0.addingProduct(y, l)
                l = InvariantGEMM.load(v + 8)
                a1 = a1.addingProduct(x, l); b1 = b1.addingProduct(y, l)
                l = InvariantGEMM.load(v + 16)
                a2 = a2.addingProduct(x, l); b2 = b2.addingProduct(y, l)
                l = InvariantGEMM.load(v + 24)
                a3 = a3.addingProduct(x, l); b3 = b3.addingProduct(y, l)
            }
            let y = Lanes(repeating: w1[count]), v = values + count * stride + i
            b0 = b0.addingProduct(y, InvariantGEMM.load(v)); b1 = b1.addingProduct(y, InvariantGEMM.load(v + 8))
            b2 = b2.addingProduct(y, InvariantGEMM.load(v + 16)); b3 = b3.addingProduct(y, InvariantGEMM.load(v + 24))
            store(out0 + i, a0, a1, a2, a3)
            store(out1 + i, b0, b1, b2, b3)
            i += 32
        }
        if i < width {
            // The columns left (fewer than 32): row by row.
            weightedSum(w0, count: count, values: values + i, stride: stride, width: width - i, into: out0 + i)
            weightedSum(w1, count: count + 1, values: values + i, stride: stride, width: width - i, into: out1 + i)
        }
    }

    @inline(__always)
    private static func store(
        _ out: UnsafeMutablePointer<Float>, _ a0: InvariantGEMM.Lanes, _ a1: InvariantGEMM.Lanes, _ a2: InvariantGEMM.Lanes,
        _ a3: InvariantGEMM.Lanes
    ) {
        let o = UnsafeMutableRawPointer(out)
        o.storeBytes(of: a0, as: InvariantGEMM.Lanes.self); o.storeBytes(of: a1, toByteOffset: 32, as: InvariantGEMM.Lanes.self)
        o.storeBytes(of: a2, toByteOffset: 64, as: InvariantGEMM.Lanes.self); o.storeBytes(of: a3, toByteOffset: 96, as: InvariantGEMM.Lanes.self)
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
            BLAS.gemm(.nt, m: rb, n: r1, k: headDim, qh + r0 * qStride, lda: qStride, kh, ldb: kvDim, p, ldc: n, alpha: scale)
            for r in r0 ..< r1 {
                let row = probabilities + r * n
                let visible = r + 1
                let maximum = VectorMath.maximum(row, count: visible)
                let sum = VectorMath.expShifted(row, count: visible, shift: maximum)
                VectorMath.scale(row, count: visible, by: 1 / sum)
                (row + visible).update(repeating: 0, count: r1 - visible)
            }
            BLAS.gemm(.nn, m: rb, n: headDim, k: r1, p, lda: n, vh, ldb: kvDim, oh + r0 * qStride, ldc: qStride)
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
                BLAS.gemm(.nt, m: rb, n: r1, k: headDim, doh + r0 * qStride, lda: qStride, vh, ldb: kvDim, ds, ldc: n)
                // dV[0 ..< r1] += Pᵀ · dO.
                BLAS.gemm(.tn, m: r1, n: headDim, k: rb, p, lda: n, doh + r0 * qStride, ldb: qStride, dvh, ldc: kvDim, beta: 1)
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
                BLAS.gemm(.nn, m: rb, n: headDim, k: r1, ds, lda: n, kh, ldb: kvDim, dqh + r0 * qStride, ldc: qStride)
                BLAS.gemm(.tn, m: r1, n: headDim, k: rb, ds, lda: n, qh + r0 * qStride, ldb: qStride, dkh, ldc: kvDim, beta: 1)
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
        forEachSequence(offsets: offsets, heads: heads) { s, head, n in
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
        forEachSequence(offsets: offsets, heads: kvHeads) { s, kvHead, n in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
            defer { scratch.deallocate() }
            let o = offsets[s]
            backward(dOut: dOut + o * qDim, q: q + o * qDim, qStride: qDim, keys: k + o * kvDim, values: v + o * kvDim,
                     kvDim: kvDim, probabilities: probabilities + probabilityOffsets[s], n: n, heads: heads,
                     kvHeads: kvHeads, headDim: headDim, kvHead: kvHead,
                     dQ: dQ + o * qDim, dKeys: dK + o * kvDim, dValues: dV + o * kvDim, scratch: scratch)
        }
    }

    /// Runs `body(s, head, n)` in parallel for every (sequence, head) pair of a packed batch, `n` the
    /// sequence's row count (`offsets[s + 1] - offsets[s]`); empty sequences are skipped.
    private static func forEachSequence(offsets: [Int], heads: Int, _ body: (_ s: Int, _ head: Int, _ n: Int) -> Void) {
        Parallel.forEach((offsets.count - 1) * heads) { index in
            let s = index / heads, head = index % heads
            let n = offsets[s + 1] - offsets[s]
            guard n > 0 else { return }
            body(s, head, n)
        }
    }
}
