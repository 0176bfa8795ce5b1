/// Whole-tensor matrix products, for benchmarks and tests that measure the BLAS seam.
public enum MatrixProduct {
    /// `c = a · bᵀ` for row-major `a [m×k]`, `b [n×k]`, `c [m×n]`.
    public static func multiplyTransposed(_ a: Tensor, _ b: Tensor, into c: Tensor) {
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[0])
        precondition(b.shape[1] == k && c.shape == [m, n], "shapes \(a.shape) · \(b.shape)ᵀ → \(c.shape)")
        BLAS.useSingleThreadedCalls()
        ParallelGEMM.gemmNT(m: m, n: n, k: k, a.pointer, lda: k, b.pointer, ldb: k, c.pointer, ldc: n)
    }

    /// `c = a · bᵀ` by the forward pass's batch-invariant kernel (`InvariantGEMM`).
    public static func invariantMultiplyTransposed(_ a: Tensor, _ b: Tensor, into c: Tensor) {
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[0])
        precondition(b.shape[1] == k && c.shape == [m, n], "shapes \(a.shape) · \(b.shape)ᵀ → \(c.shape)")
        InvariantGEMM.multiplyTransposed(m: m, n: n, k: k, a.pointer, b.pointer, c.pointer)
    }
}
