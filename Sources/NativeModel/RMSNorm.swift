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
