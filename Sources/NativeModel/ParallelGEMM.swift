/// Matrix products split across `EngineSettings.threadCount` cores, each part a single-threaded
/// BLAS call: by rows of the output when there are many, else by columns (generation's one row).
enum ParallelGEMM {
    /// Below this many multiply-adds a product runs on one core.
    static let minimumWork = 1 << 20

    /// `C[m×n] = alpha · A[m×k] · B[n×k]ᵀ + beta · C`.
    static func gemmNT(
        m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0
    ) {
        let parts = partCount(m: m, n: n, k: k)
        if parts == 1 {
            if m == 1 {
                BLAS.gemv(m: n, n: k, b, lda: ldb, a, c, alpha: alpha, beta: beta)
            } else {
                BLAS.gemmNT(m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, c, ldc: ldc, alpha: alpha, beta: beta)
            }
            return
        }
        if m >= 16 * parts {
            split(m, parts) { lo, hi in
                BLAS.gemmNT(m: hi - lo, n: n, k: k, a + lo * lda, lda: lda, b, ldb: ldb, c + lo * ldc, ldc: ldc, alpha: alpha, beta: beta)
            }
        } else {
            split(n, parts) { lo, hi in
                if m == 1 {
                    BLAS.gemv(m: hi - lo, n: k, b + lo * ldb, lda: ldb, a, c + lo, alpha: alpha, beta: beta)
                } else {
                    BLAS.gemmNT(m: m, n: hi - lo, k: k, a, lda: lda, b + lo * ldb, ldb: ldb, c + lo, ldc: ldc, alpha: alpha, beta: beta)
                }
            }
        }
    }

    /// `C[m×n] = alpha · A[m×k] · B[k×n] + beta · C`.
    static func gemmNN(
        m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0
    ) {
        let parts = partCount(m: m, n: n, k: k)
        if parts > 1, m >= 16 * parts {
            split(m, parts) { lo, hi in
                BLAS.gemmNN(m: hi - lo, n: n, k: k, a + lo * lda, lda: lda, b, ldb: ldb, c + lo * ldc, ldc: ldc, alpha: alpha, beta: beta)
            }
        } else if parts > 1 {
            split(n, parts) { lo, hi in
                BLAS.gemmNN(m: m, n: hi - lo, k: k, a, lda: lda, b + lo, ldb: ldb, c + lo, ldc: ldc, alpha: alpha, beta: beta)
            }
        } else {
            BLAS.gemmNN(m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, c, ldc: ldc, alpha: alpha, beta: beta)
        }
    }

    /// `C[m×n] = alpha · A[k×m]ᵀ · B[k×n] + beta · C` (weight gradients), split over rows of C.
    static func gemmTN(
        m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1, beta: Float = 0
    ) {
        let parts = partCount(m: m, n: n, k: k)
        if parts > 1, m >= 16 * parts {
            split(m, parts) { lo, hi in
                BLAS.gemmTN(m: hi - lo, n: n, k: k, a + lo, lda: lda, b, ldb: ldb, c + lo * ldc, ldc: ldc, alpha: alpha, beta: beta)
            }
        } else if parts > 1 {
            split(n, parts) { lo, hi in
                BLAS.gemmTN(m: m, n: hi - lo, k: k, a, lda: lda, b + lo, ldb: ldb, c + lo, ldc: ldc, alpha: alpha, beta: beta)
            }
        } else {
            BLAS.gemmTN(m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, c, ldc: ldc, alpha: alpha, beta: beta)
        }
    }

    private static func partCount(m: Int, n: Int, k: Int) -> Int {
        let threads = EngineSettings.threadCount
        guard threads > 1, m * n * k >= minimumWork else { return 1 }
        return min(threads, max(m, n) / 16)
    }

    /// Splits `0 ..< count` into `parts` contiguous ranges (multiples of 16 but the last) run in parallel.
    private static func split(_ count: Int, _ parts: Int, _ body: (Int, Int) -> Void) {
        let size = ((count + parts - 1) / parts + 15) / 16 * 16
        let chunks = (count + size - 1) / size
        Parallel.forEach(chunks) { i in body(i * size, min(count, (i + 1) * size)) }
    }
}
