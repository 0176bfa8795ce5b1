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
        let qh = q + head * headDim
        let kh = keys + kvHead * headDim
        let vh = values + kvHead * headDim
        let oh = out + head * headDim

        if n == 1 {
            // One query (generation): plain loops beat a BLAS call at these sizes.
            for j in 0 ..< length {
                let kj = kh + j * kvDim
                var dot: Float = 0
                for i in 0 ..< headDim { dot += qh[i] * kj[i] }
                scores[j] = dot * scale
            }
        } else {
            BLAS.gemmNT(m: n, n: length, k: headDim, qh, lda: qStride, kh, ldb: kvDim, scores, ldc: length, alpha: scale)
        }
        for r in 0 ..< n {
            let row = scores + r * length
            let visible = start + r + 1
            let maximum = VectorMath.maximum(row, count: visible)
            let sum = VectorMath.expShifted(row, count: visible, shift: maximum)
            VectorMath.scale(row, count: visible, by: 1 / sum)
            (row + visible).update(repeating: 0, count: length - visible)
        }
        if n == 1 {
            for i in 0 ..< headDim { oh[i] = 0 }
            for j in 0 ..< length {
                let p = scores[j], vj = vh + j * kvDim
                for i in 0 ..< headDim { oh[i] += p * vj[i] }
            }
        } else {
            BLAS.gemmNN(m: n, n: headDim, k: length, scores, lda: length, vh, ldb: kvDim, oh, ldc: qStride)
        }
    }
}
