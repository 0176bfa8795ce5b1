/// Root-mean-square layer normalisation (Zhang & Sennrich 2019), as Llama computes it:
/// `y = x / sqrt(mean(x²) + eps) * weight`, per row.
enum RMSNorm {
    /// Normalises `rows` rows of width `dim` from `x` into `y` (which may alias `x`).
    /// Stores each row's inverse RMS in `inverseRMS` when given (the backward pass needs it).
    static func forward(
        _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        rows: Int, dim: Int, eps: Float, inverseRMS: UnsafeMutablePointer<Float>? = nil
    ) {
        for r in 0 ..< rows {
            let xr = x + r * dim, yr = y + r * dim
            var sum: Float = 0
            for i in 0 ..< dim { sum += xr[i] * xr[i] }
            let inv = 1 / (sum / Float(dim) + eps).squareRoot()
            inverseRMS?[r] = inv
            for i in 0 ..< dim { yr[i] = xr[i] * inv * weight[i] }
        }
    }
}

extension RMSNorm {
    /// The backward pass of `forward` for upstream gradient `dY`, the saved input `x` and the saved
    /// `inverseRMS` (one per row):
    /// `dX = inv · (w ⊙ dY − x · inv² · mean(w ⊙ dY ⊙ x))`, written into `dX` or added to it with
    /// `accumulate` (a residual stream); `dWeight += Σ_rows dY ⊙ x · inv`.
    /// `dX` must not alias `dY` or `x`.
    static func backward(
        _ dY: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, inverseRMS: UnsafePointer<Float>,
        rows: Int, dim: Int, dX: UnsafeMutablePointer<Float>, accumulate: Bool, dWeight: UnsafeMutablePointer<Float>
    ) {
        for r in 0 ..< rows {
            let xr = x + r * dim, dyr = dY + r * dim, dxr = dX + r * dim
            let inv = inverseRMS[r]
            var dot: Float = 0
            for i in 0 ..< dim {
                dot += weight[i] * dyr[i] * xr[i]
                dWeight[i] += dyr[i] * xr[i] * inv
            }
            let c = inv * inv * dot / Float(dim)
            if accumulate {
                for i in 0 ..< dim { dxr[i] += inv * (weight[i] * dyr[i] - xr[i] * c) }
            } else {
                for i in 0 ..< dim { dxr[i] = inv * (weight[i] * dyr[i] - xr[i] * c) }
            }
        }
    }
}
