/// The forward pass's matrix product `y = x Wᵀ`, written so that every output element is computed by
/// the same sequence of floating-point operations whatever else is in the product: batch-invariant.
///
/// OpenBLAS picks its kernels and its reduction order from the shape of each call and the processor
/// (measured on OpenBLAS 0.3.21: with the Haswell and Zen kernels a row's result changes with the
/// number of rows in the call and with its position among them; with SkylakeX and Cooperlake when a
/// call has fewer than five rows). A sequence scored in a batch would then get other numbers than the
/// same sequence scored alone. Here each element `y[i][j]` is one dot product of row `i` of `x` and
/// row `j` of `W`, always evaluated the same way (`dot(_:_:count:)`): eight lanes, each a chain of
/// fused multiply-adds over every eighth element, the lanes added in a fixed tree, the last
/// `count % 8` products added in order. Rows and columns are only ever split between kernels and
/// threads, never the reduction, so the result does not depend on the batch, the row's position in
/// it, the thread count, or the processor (fused multiply-add is exactly rounded everywhere).
///
/// The kernels are register-blocked (4 rows × 3 columns of `W` per step) and cache-blocked, which
/// keeps them near OpenBLAS's speed for the engine's shapes; the backward pass stays on OpenBLAS
/// (`ParallelGEMM`), whose thread partition is fixed by the shape.
enum InvariantGEMM {
    typealias Lanes = SIMD8<Float>

    /// Below this many multiply-adds a product runs on one core.
    static let minimumParallelWork = 1 << 20

    /// `y[m×n] = x[m×k] · w[n×k]ᵀ`, or `y += x · wᵀ` with `accumulate` (the product is computed
    /// first, then added). All three matrices are dense row-major: row strides `k`, `k` and `n`.
    static func multiplyTransposed(
        m: Int, n: Int, k: Int, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        accumulate: Bool = false
    ) {
        guard m > 0, n > 0 else { return }
        // Columns of W per cache block: about 144 KiB of W, reused by every row block.
        let columnBlock = max(3, min(n, (36_864 / max(k, 1)) / 3 * 3))
        let blocks = (n + columnBlock - 1) / columnBlock
        let threads = m * n * k >= minimumParallelWork ? min(EngineSettings.threadCount, blocks) : 1
        let perThread = (blocks + threads - 1) / threads
        Parallel.forEach(threads) { t in
            let j0 = t * perThread * columnBlock, j1 = min(n, (t + 1) * perThread * columnBlock)
            guard j0 < j1 else { return }
            columns(j0 ..< j1, block: columnBlock, m: m, n: n, k: k, x, w, y, accumulate)
        }
    }

    /// The columns `range` of the product, by blocks of `block` columns and 512 rows.
    private static func columns(
        _ range: Range<Int>, block: Int, m: Int, n: Int, k: Int,
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ accumulate: Bool
    ) {
        var r0 = 0
        while r0 < m {
            let r1 = min(m, r0 + 512)
            var j0 = range.lowerBound
            while j0 < range.upperBound {
                let j1 = min(range.upperBound, j0 + block)
                var r = r0
                while r + 4 <= r1 {
                    var j = j0
                    while j + 3 <= j1 {
                        kernel4x3(x + r * k, w + j * k, k, y + r * n + j, n, accumulate)
                        j += 3
                    }
                    while j < j1 {
                        kernel4x1(x + r * k, w + j * k, k, y + r * n + j, n, accumulate)
                        j += 1
                    }
                    r += 4
                }
                while r < r1 {
                    var j = j0
                    while j + 3 <= j1 {
                        kernel1x3(x + r * k, w + j * k, k, y + r * n + j, accumulate)
                        j += 3
                    }
                    while j < j1 {
                        store(dot(x + r * k, w + j * k, count: k), y + r * n + j, accumulate)
                        j += 1
                    }
                    r += 1
                }
                j0 = j1
            }
            r0 = r1
        }
    }

    // MARK: - The one dot product

    /// `Σ a[p]·b[p]` for `p < count`, evaluated in the fixed order every kernel here uses.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var acc = Lanes()
        var p = 0
        while p + 8 <= count {
            acc = acc.addingProduct(load(a + p), load(b + p))
            p += 8
        }
        return finish(acc, a, b, from: p, count: count)
    }

    /// The lanes of `acc` added in a fixed tree, then the products `from ..< count` in order.
    @inline(__always)
    static func finish(_ acc: Lanes, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, from start: Int, count: Int) -> Float {
        let half = acc.lowHalf + acc.highHalf
        let quarter = half.lowHalf + half.highHalf
        var s = quarter[0] + quarter[1]
        var p = start
        while p < count {
            s = s.addingProduct(a[p], b[p])
            p += 1
        }
        return s
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    private static func store(_ value: Float, _ y: UnsafeMutablePointer<Float>, _ accumulate: Bool) {
        y.pointee = accumulate ? y.pointee + value : value
    }

    // MARK: - Register-blocked kernels (each element exactly as `dot`)

    /// Rows `x ..< x + 4k` against rows `w ..< w + 3k`: twelve dot products sharing their loads.
    @inline(__always)
    private static func kernel4x3(
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ k: Int, _ y: UnsafeMutablePointer<Float>, _ ldy: Int,
        _ accumulate: Bool
    ) {
        let x1 = x + k, x2 = x + 2 * k, x3 = x + 3 * k, w1 = w + k, w2 = w + 2 * k
        var a00 = Lanes(), a01 = Lanes(), a02 = Lanes(), a10 = Lanes(), a11 = Lanes(), a12 = Lanes()
        var a20 = Lanes(), a21 = Lanes(), a22 = Lanes(), a30 = Lanes(), a31 = Lanes(), a32 = Lanes()
        var p = 0
        while p + 8 <= k {
            let b0 = load(w + p), b1 = load(w1 + p), b2 = load(w2 + p)
            var a = load(x + p)
            a00 = a00.addingProduct(a, b0); a01 = a01.addingProduct(a, b1); a02 = a02.addingProduct(a, b2)
            a = load(x1 + p)
            a10 = a10.addingProduct(a, b0); a11 = a11.addingProduct(a, b1); a12 = a12.addingProduct(a, b2)
            a = load(x2 + p)
            a20 = a20.addingProduct(a, b0); a21 = a21.addingProduct(a, b1); a22 = a22.addingProduct(a, b2)
            a = load(x3 + p)
            a30 = a30.addingProduct(a, b0); a31 = a31.addingProduct(a, b1); a32 = a32.addingProduct(a, b2)
            p += 8
        }
        store(finish(a00, x, w, from: p, count: k), y, accumulate)
        store(finish(a01, x, w1, from: p, count: k), y + 1, accumulate)
        store(finish(a02, x, w2, from: p, count: k), y + 2, accumulate)
        store(finish(a10, x1, w, from: p, count: k), y + ldy, accumulate)
        store(finish(a11, x1, w1, from: p, count: k), y + ldy + 1, accumulate)
        store(finish(a12, x1, w2, from: p, count: k), y + ldy + 2, accumulate)
        store(finish(a20, x2, w, from: p, count: k), y + 2 * ldy, accumulate)
        store(finish(a21, x2, w1, from: p, count: k), y + 2 * ldy + 1, accumulate)
        store(finish(a22, x2, w2, from: p, count: k), y + 2 * ldy + 2, accumulate)
        store(finish(a30, x3, w, from: p, count: k), y + 3 * ldy, accumulate)
        store(finish(a31, x3, w1, from: p, count: k), y + 3 * ldy + 1, accumulate)
        store(finish(a32, x3, w2, from: p, count: k), y + 3 * ldy + 2, accumulate)
    }

    /// Four rows of `x` against one row of `w`.
    @inline(__always)
    private static func kernel4x1(
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ k: Int, _ y: UnsafeMutablePointer<Float>, _ ldy: Int,
        _ accumulate: Bool
    ) {
        let x1 = x + k, x2 = x + 2 * k, x3 = x + 3 * k
        var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes()
        var p = 0
        while p + 8 <= k {
            let b = load(w + p)
            a0 = a0.addingProduct(load(x + p), b); a1 = a1.addingProduct(load(x1 + p), b)
            a2 = a2.addingProduct(load(x2 + p), b); a3 = a3.addingProduct(load(x3 + p), b)
            p += 8
        }
        store(finish(a0, x, w, from: p, count: k), y, accumulate)
        store(finish(a1, x1, w, from: p, count: k), y + ldy, accumulate)
        store(finish(a2, x2, w, from: p, count: k), y + 2 * ldy, accumulate)
        store(finish(a3, x3, w, from: p, count: k), y + 3 * ldy, accumulate)
    }

    /// One row of `x` against three rows of `w` (generation's single rows).
    @inline(__always)
    private static func kernel1x3(
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ k: Int, _ y: UnsafeMutablePointer<Float>, _ accumulate: Bool
    ) {
        let w1 = w + k, w2 = w + 2 * k
        var a0 = Lanes(), a1 = Lanes(), a2 = Lanes()
        var p = 0
        while p + 8 <= k {
            let a = load(x + p)
            a0 = a0.addingProduct(a, load(w + p)); a1 = a1.addingProduct(a, load(w1 + p)); a2 = a2.addingProduct(a, load(w2 + p))
            p += 8
        }
        store(finish(a0, x, w, from: p, count: k), y, accumulate)
        store(finish(a1, x, w1, from: p, count: k), y + 1, accumulate)
        store(finish(a2, x, w2, from: p, count: k), y + 2, accumulate)
    }
}
