#if canImport(Accelerate)
import Accelerate
#else
import COpenBLAS
#endif

/// The one seam between the engine and a CBLAS library: OpenBLAS on Linux, Accelerate on macOS.
///
/// Every matrix is row-major and dense; `ld*` are row strides in elements. Each call computes
/// `C = alpha * op(A) * op(B) + beta * C`.
enum BLAS {
    /// Which operands of a product are transposed (`op(X)` is `X` or `Xᵀ`), named as BLAS names them.
    enum Operands {
        /// `C[m×n] = alpha * A[m×k] · B[n×k]ᵀ + beta * C`: the shape of `y = x Wᵀ` with PyTorch-style weights.
        case nt
        /// `C[m×n] = alpha * A[m×k] · B[k×n] + beta * C`.
        case nn
        /// `C[m×n] = alpha * A[k×m]ᵀ · B[k×n] + beta * C`: weight gradients `dW = dYᵀ X`.
        case tn
    }

    /// `C[m×n] = alpha * op(A) · op(B) + beta * C`, `op` as `operands` says.
    @inline(__always)
    static func gemm(
        _ operands: Operands, m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Float>, lda: Int,
        _ b: UnsafePointer<Float>, ldb: Int,
        _ c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        let (transA, transB) = switch operands {
        case .nt: (CblasNoTrans, CblasTrans)
        case .nn: (CblasNoTrans, CblasNoTrans)
        case .tn: (CblasTrans, CblasNoTrans)
        }
        cblas_sgemm(CblasRowMajor, transA, transB, blasInt(m), blasInt(n), blasInt(k),
                    alpha, a, blasInt(lda), b, blasInt(ldb), beta, c, blasInt(ldc))
    }

    /// `y[m] = alpha * A[m×n] · x[n] + beta * y`.
    @inline(__always)
    static func gemv(
        m: Int, n: Int,
        _ a: UnsafePointer<Float>, lda: Int,
        _ x: UnsafePointer<Float>,
        _ y: UnsafeMutablePointer<Float>,
        alpha: Float = 1, beta: Float = 0
    ) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, blasInt(m), blasInt(n), alpha, a, blasInt(lda), x, 1, beta, y, 1)
    }

    /// Makes every BLAS call single-threaded: the engine splits large products across cores itself
    /// (`ParallelGEMM`), which keeps OpenBLAS's thread pool from contending with the engine's own
    /// parallel loops. Idempotent.
    static func useSingleThreadedCalls() {
        _ = singleThreaded
    }

    private static let singleThreaded: Void = {
        #if !canImport(Accelerate)
        openblas_set_num_threads(1)
        #endif
    }()

    /// The name of the kernel set the BLAS library chose for this processor ("Accelerate" on macOS).
    static var kernelName: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        return String(cString: openblas_get_corename())
        #endif
    }

    #if canImport(Accelerate)
    @inline(__always) private static func blasInt(_ v: Int) -> __LAPACK_int { __LAPACK_int(v) }
    #else
    @inline(__always) private static func blasInt(_ v: Int) -> Int32 { Int32(v) }
    #endif
}
