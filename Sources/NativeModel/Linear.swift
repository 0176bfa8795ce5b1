/// A fully connected layer with PyTorch's weight layout: `y = x Wᵀ + b`, `W` being `[out, in]`.
enum Linear {
    /// Computes `y = x Wᵀ + b` for `rows` rows, or `y += x Wᵀ + b` with `accumulate`. Each row's
    /// result depends only on that row (`InvariantGEMM`), whatever the other rows and the threads.
    static func forward(
        _ x: UnsafePointer<Float>, rows: Int, inFeatures: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        _ y: UnsafeMutablePointer<Float>, outFeatures: Int, accumulate: Bool = false
    ) {
        InvariantGEMM.multiplyTransposed(m: rows, n: outFeatures, k: inFeatures, x, weight, y, accumulate: accumulate)
        if let bias { addBias(bias, to: y, rows: rows, outFeatures: outFeatures) }
    }

    /// One of several layers that read the same input.
    struct Output {
        var product: InvariantGEMM.Product, bias: UnsafePointer<Float>?

        init(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>, outFeatures: Int, accumulate: Bool = false) {
            product = InvariantGEMM.Product(w: weight, n: outFeatures, y: y, accumulate: accumulate)
            self.bias = bias
        }
    }

    /// `forward` for several layers of the same input `x` at once (the input is prepared for the
    /// products once); each output is exactly what its layer alone gives.
    static func forward(_ x: UnsafePointer<Float>, rows: Int, inFeatures: Int, _ outputs: [Output]) {
        InvariantGEMM.multiplyTransposed(m: rows, k: inFeatures, x, outputs.map(\.product))
        for output in outputs {
            if let bias = output.bias { addBias(bias, to: output.product.y, rows: rows, outFeatures: output.product.n) }
        }
    }

    private static func addBias(_ bias: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, rows: Int, outFeatures: Int) {
        for r in 0 ..< rows {
            let yr = y + r * outFeatures
            for i in 0 ..< outFeatures { yr[i] += bias[i] }
        }
    }

    /// The backward pass of `forward` for upstream gradient `dY` (`rows × outFeatures`) and the saved
    /// input `x` (`rows × inFeatures`):
    /// - `dX = dY · W` (written, or added with `accumulateInput`; skipped when `dX` is nil),
    /// - `dWeight += dYᵀ · x` (`[out, in]`, accumulated; skipped when nil, for a frozen weight),
    /// - `dBias += Σ_rows dY` when `dBias` is given.
    static func backward(
        _ dY: UnsafePointer<Float>, rows: Int, outFeatures: Int,
        x: UnsafePointer<Float>, inFeatures: Int, weight: UnsafePointer<Float>,
        dX: UnsafeMutablePointer<Float>?, accumulateInput: Bool = false,
        dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?
    ) {
        if let dX {
            ParallelGEMM.gemmNN(m: rows, n: inFeatures, k: outFeatures, dY, lda: outFeatures, weight, ldb: inFeatures,
                                dX, ldc: inFeatures, beta: accumulateInput ? 1 : 0)
        }
        if let dWeight {
            ParallelGEMM.gemmTN(m: outFeatures, n: inFeatures, k: rows, dY, lda: outFeatures, x, ldb: inFeatures,
                                dWeight, ldc: inFeatures, beta: 1)
        }
        if let dBias {
            for r in 0 ..< rows {
                let dyr = dY + r * outFeatures
                for i in 0 ..< outFeatures { dBias[i] += dyr[i] }
            }
        }
    }
}
