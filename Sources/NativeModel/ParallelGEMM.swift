/// Matrix products of the backward pass (and of LoRA's small factors) split across cores, each part a
/// single-threaded BLAS call. The parts are set by the shape alone, never by the thread count: OpenBLAS
/// may sum in another order for another shape, so a thread-dependent split would make training depend
/// on the machine's cores. (The forward pass's products are `InvariantGEMM`.)
enum ParallelGEMM {
    /// Below this many multiply-adds a product runs on one core.
    static let minimumWork = 1 << 20

    /// `C[m×n] = alpha · A[m×k] · B[n×k]ᵀ + beta · C`.
    static func gemmNT(
        m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0
    ) {
        partitioned(m: m, n: n, k: k) { rows, columns in
            let a = a + rows.lowerBound * lda, b = b + columns.lowerBound * ldb
            let c = c + rows.lowerBound * ldc + columns.lowerBound
            if rows.count == 1 {
                BLAS.gemv(m: columns.count, n: k, b, lda: ldb, a, c, alpha: alpha, beta: beta)
            } else {
                BLAS.gemm(.nt, m: rows.count, n: columns.count, k: k, a, lda: lda, b, ldb: ldb, c, ldc: ldc, alpha: alpha, beta: beta)
            }
        }
    }

    /// `C[m×n] = alpha · A[m×k] · B[k×n] + beta · C`.
    static func gemmNN(
        m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0
    ) {
        partitioned(m: m, n: n, k: k) { rows, columns in
            BLAS.gemm(.nn, m: rows.count, n: columns.count, k: k, a + rows.lowerBound * lda, lda: lda, b + columns.lowerBound, ldb: ldb,
                        c + rows.lowerBound * ldc + columns.lowerBound, ldc: ldc, alpha: alpha, beta: beta)
        }
    }

    /// `C[m×n] = alpha · A[k×m]ᵀ · B[k×n] + beta · C` (weight gradients).
    static func gemmTN(
        m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0
    ) {
        partitioned(m: m, n: n, k: k) { rows, columns in
            BLAS.gemm(.tn, m: rows.count, n: columns.count, k: k, a + rows.lowerBound, lda: lda, b + columns.lowerBound, ldb: ldb,
                        c + rows.lowerBound * ldc + columns.lowerBound, ldc: ldc, alpha: alpha, beta: beta)
        }
    }

    /// Runs `block(rows, columns)` over disjoint blocks covering the `m × n` output, in parallel: one
    /// block for small products, else up to 8 row ranges (or column ranges, when there are more
    /// columns than rows) of at least 128, a function of the shape only.
    private static func partitioned(m: Int, n: Int, k: Int, _ block: (Range<Int>, Range<Int>) -> Void) {
        let parts = m * n * k >= minimumWork ? min(8, max(m, n) / 128) : 1
        if parts <= 1 {
            block(0 ..< m, 0 ..< n)
        } else if m >= n {
            split(m, parts) { block($0, 0 ..< n) }
        } else {
            split(n, parts) { block(0 ..< m, $0) }
        }
    }

    /// Splits `0 ..< count` into `parts` contiguous ranges (multiples of 16 but the last) run in parallel.
    private static func split(_ count: Int, _ parts: Int, _ body: (Range<Int>) -> Void) {
        let size = ((count + parts - 1) / parts + 15) / 16 * 16
        let chunks = (count + size - 1) / size
        Parallel.forEach(chunks) { i in body(i * size ..< min(count, (i + 1) * size)) }
    }
}
