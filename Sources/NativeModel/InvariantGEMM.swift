/// The forward pass's matrix product `y = x Wᵀ`, written so that every output element is computed by
/// the same sequence of floating-point operations whatever else is in the product: batch-invariant.
///
/// OpenBLAS picks its kernels and its reduction order from the shape of each call and the processor
/// (measured on OpenBLAS 0.3.21: with the Haswell and Zen kernels a row's result changes with the
/// number of rows in the call and with its position among them; with SkylakeX and Cooperlake when a
/// call has fewer than five rows). A sequence scored in a batch would then get other numbers than the
/// same sequence scored alone. Here each element `y[i][j]` is one chain of fused multiply-adds,
/// `s = fma(x[i][p], w[j][p], s)` for `p = 0, 1, …, k-1` from `s = 0`, whatever the tile, the SIMD
/// lane or the thread that evaluates it. Tiles and threads only ever split rows and columns, never the
/// reduction, so the result does not depend on the batch, the row's position in it, the thread count,
/// or the processor (fused multiply-add is exactly rounded everywhere).
///
/// The kernel is the broadcast form of a BLIS micro-kernel: `x` is packed into panels of 16 rows
/// (8 for a short tail), stored reduction-major so one vector load gives eight rows' `x[i][p]`; each
/// step of the chain broadcasts `w[j][p]` for six (or twelve) columns and advances 96 chains with 12
/// vector fused multiply-adds. The chains stay in registers through a depth block and are parked as
/// floats between blocks (which changes no bit). The backward pass stays on OpenBLAS
/// (`ParallelGEMM`), whose thread partition is fixed by the shape.
enum InvariantGEMM {
    typealias Lanes = SIMD8<Float>

    /// Below this many multiply-adds a product runs on one core.
    static let minimumParallelWork = 1 << 20
    /// Rows of `x` per cache block (a multiple of 16): the packed block is reused by every column of `W`.
    static let rowBlock = 128
    /// Steps of the reduction per cache block: a row block of packed `x` is then at most 512 KiB and
    /// stays in the level-2 cache. (Measured on Zen 4 against 256: fewer tile entries and exits, and
    /// the forward pass about 5% faster; most of the model's products need one depth block.)
    static let depthBlock = 1024
    /// Columns of `W` per cache block (a multiple of 12): their rows are read from memory once per
    /// product rather than once per row block. (Measured on Zen 4, the ~110M forward pass against a
    /// thread's whole range per block, with the half-groups below: about 4% faster; 240 against 96
    /// and 480 within the noise.)
    static let columnBlock = 240

    /// One product of a shared input `x`: `y[m×n] = x · w[n×k]ᵀ`, or `y += x · wᵀ` with `accumulate`
    /// (the product is computed first, then added). `w` and `y` are dense row-major (strides `k`, `n`).
    struct Product {
        var w: UnsafePointer<Float>, n: Int, y: UnsafeMutablePointer<Float>, accumulate = false
    }

    /// `y[m×n] = x[m×k] · w[n×k]ᵀ`, or `y += x · wᵀ` with `accumulate`. All three matrices are dense
    /// row-major: row strides `k`, `k` and `n`.
    static func multiplyTransposed(
        m: Int, n: Int, k: Int, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        accumulate: Bool = false
    ) {
        multiplyTransposed(m: m, k: k, x, [Product(w: w, n: n, y: y, accumulate: accumulate)])
    }

    /// Several products of the same `x[m×k]` (a layer's query, key and value projections): `x` is
    /// packed once and the columns of all the products are shared out to the threads together.
    /// Each element is computed exactly as by a product alone.
    static func multiplyTransposed(m: Int, k: Int, _ x: UnsafePointer<Float>, _ products: [Product]) {
        guard m > 0 else { return }
        guard k > 0 else {
            for p in products where !p.accumulate { p.y.update(repeating: 0, count: m * p.n) }
            return
        }
        if m < fewRows {
            multiplyFewRows(m: m, k: k, x, products)
            return
        }
        let panels = Panels(rows: m)
        packing.withBuffer(count: panels.paddedRows * k) { packed in
            multiply(m: m, k: k, panels, x, packed, products)
        }
    }

    /// Packed copies of `x`, reused between calls.
    private static let packing = ScratchPool()

    private static func multiply(
        m: Int, k: Int, _ panels: Panels, _ x: UnsafePointer<Float>, _ packed: UnsafeMutablePointer<Float>, _ products: [Product]
    ) {
        // Columns go to threads in runs of 12 (a whole number of either kernel's columns).
        let share = ColumnShare(products, m: m, k: k, run: 12)
        Parallel.forEach(share.threads) { t in
            // Every thread packs a share of the panels first; all of them are read by all threads.
            var panel = t
            while panel < panels.count {
                pack(panel, panels, m: m, k: k, x, packed)
                panel += share.threads
            }
        }
        Parallel.forEach(share.threads) { t in
            share.forEachRange(ofThread: t, products) { p, range in
                columns(range, panels, m: m, n: p.n, k: k, packed, p.w, p.y, p.accumulate)
            }
        }
    }

    /// The columns of one or more products (laid end to end) shared out to the threads in runs of
    /// `run` columns; one thread when the work is small.
    struct ColumnShare {
        let run: Int, runs: Int, threads: Int

        init(_ products: [Product], m: Int, k: Int, run: Int) {
            var runs = 0, columns = 0
            for p in products {
                runs += (p.n + run - 1) / run
                columns += p.n
            }
            self.run = run
            self.runs = runs
            threads = m * k * columns >= minimumParallelWork ? min(EngineSettings.threadCount, runs) : 1
        }

        /// Calls `body` with each product that thread `t` has columns of, and those columns.
        func forEachRange(ofThread t: Int, _ products: [Product], _ body: (Product, Range<Int>) -> Void) {
            let r0 = runs * t / threads, r1 = runs * (t + 1) / threads
            var first = 0
            for p in products {
                let count = (p.n + run - 1) / run
                let low = max(r0, first) - first, high = min(r1, first + count) - first
                if low < high { body(p, run * low ..< min(p.n, run * high)) }
                first += count
            }
        }
    }

    /// The row panels of a product with `rows` rows: full panels of 16, then the rest (if any) in one
    /// panel of 8 rows when it fits there, else of 16, zero-padded.
    struct Panels {
        let rows: Int, count: Int, paddedRows: Int

        init(rows: Int) {
            self.rows = rows
            let tail = rows % 16
            count = (rows + 15) / 16
            paddedRows = rows - tail + (tail == 0 ? 0 : tail <= 8 ? 8 : 16)
        }

        /// Rows in the panel's storage (8 or 16).
        func height(_ panel: Int) -> Int { min(16, paddedRows - 16 * panel) }
    }

    /// Copies the panel's rows of `x` into `packed` reduction-major (`height` floats per step `p`),
    /// padding missing rows with zeros.
    private static func pack(_ panel: Int, _ panels: Panels, m: Int, k: Int, _ x: UnsafePointer<Float>, _ packed: UnsafeMutablePointer<Float>) {
        let h = panels.height(panel), r0 = 16 * panel
        let dst = packed + r0 * k
        for r in 0 ..< h {
            if r0 + r < m {
                let src = x + (r0 + r) * k
                for p in 0 ..< k { dst[p * h + r] = src[p] }
            } else {
                for p in 0 ..< k { dst[p * h + r] = 0 }
            }
        }
    }

    /// The columns `range` of the product, by cache blocks of `columnBlock` columns, `rowBlock` rows
    /// and `depthBlock` steps of the reduction. A column block's rows of `W` (at most 960 KiB) are
    /// read from memory once and then met by every row block of `x` from the outer-level cache; a
    /// row block of packed `x` stays in the level-2 cache while the column block's groups meet it;
    /// each half-group of six columns of `W` (24 KiB at most) stays in the level-1 cache across the
    /// row block's panels. Between depth blocks the chains are parked (a row block's panels × the
    /// column block's groups of 12).
    private static func columns(
        _ range: Range<Int>, _ panels: Panels, m: Int, n: Int, k: Int,
        _ packed: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ accumulate: Bool
    ) {
        let panelsPerBlock = rowBlock / 16, groups = (min(columnBlock, range.count) + 11) / 12
        // 192 floats per (panel, group of 12 columns), only needed when there is more than one depth block.
        parking.withBuffer(count: k > depthBlock ? panelsPerBlock * groups * 192 : 0) { parked in
            for c0 in stride(from: range.lowerBound, to: range.upperBound, by: columnBlock) {
                let c1 = min(range.upperBound, c0 + columnBlock)
                for first in stride(from: 0, to: panels.count, by: panelsPerBlock) {
                    let block = first ..< min(panels.count, first + panelsPerBlock)
                    for k0 in stride(from: 0, to: k, by: depthBlock) {
                        let k1 = min(k, k0 + depthBlock)
                        for (g, j) in stride(from: c0, to: c1, by: 12).enumerated() {
                            for half in 0 ..< 2 {
                                for panel in block {
                                    let d = Depth(start: k0, count: k1 - k0, k: k, first: k0 == 0, last: k1 == k,
                                                  parked: parked + ((panel - first) * groups + g) * 192)
                                    tile(half, panel, panels, column: j, width: min(12, c1 - j), d, m: m, n: n, packed, w, y, accumulate)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Half `half` of the tile of one panel against `width ≤ 12` columns starting at `column`, over
    /// one depth block: columns `6 half ..< 6 half + 6` of a panel of 16 rows; a panel of 8 rows
    /// (the short tail) does all 12 in half 0.
    @inline(__always)
    private static func tile(
        _ half: Int, _ panel: Int, _ panels: Panels, column j: Int, width: Int, _ d: Depth, m: Int, n: Int,
        _ packed: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ accumulate: Bool
    ) {
        let r0 = 16 * panel, h = panels.height(panel)
        let xp = packed + r0 * d.k + d.start * h, yp = y + r0 * n + j, rows = min(16, m - r0)
        if h == 8 {
            if half == 0 { kernel8x12(xp, w, column: j, width: width, d, n: n, yp, rows: rows, accumulate) }
        } else if half == 0 {
            kernel16x6(xp, w, column: j, width: min(6, width), d, n: n, yp, rows: rows, accumulate)
        } else if width > 6 {
            var second = d
            second.parked += 96
            kernel16x6(xp, w, column: j + 6, width: width - 6, second, n: n, yp + 6, rows: rows, accumulate)
        }
    }

    /// Scratch for the chains parked between depth blocks, reused between calls.
    private static let parking = ScratchPool()

    /// One depth block `start ..< start + count` of a reduction over `k`, and where its chains are
    /// parked before the next block (float values: resuming from them changes no bit).
    struct Depth {
        var start: Int, count: Int, k: Int, first: Bool, last: Bool
        var parked: UnsafeMutablePointer<Float>

        /// Chain `i`'s value so far: zero before the first block.
        @inline(__always)
        func resume(_ i: Int) -> Lanes { first ? Lanes() : load(parked + 8 * i) }

        @inline(__always)
        func park(_ i: Int, _ acc: Lanes) { UnsafeMutableRawPointer(parked + 8 * i).storeBytes(of: acc, as: Lanes.self) }
    }

    // MARK: - Micro-kernels (each element one chain of fused multiply-adds over p = 0 ..< k)

    /// Row `column + c` of `w`, or the last valid one for a column past `width` (computed, not stored).
    @inline(__always)
    private static func row(_ w: UnsafePointer<Float>, _ column: Int, _ c: Int, width: Int, _ d: Depth) -> UnsafePointer<Float> {
        w + (column + min(c, width - 1)) * d.k + d.start
    }

    /// Writes lane `r < rows` of `acc` to `y[r * ldy]` (or adds it).
    @inline(__always)
    private static func store(_ acc: Lanes, _ y: UnsafeMutablePointer<Float>, ldy: Int, rows: Int, _ accumulate: Bool) {
        for r in 0 ..< min(8, rows) {
            if accumulate { y[r * ldy] += acc[r] } else { y[r * ldy] = acc[r] }
        }
    }

    /// A panel of 16 rows against `width ≤ 6` columns starting at `column`.
    @inline(never)
    private static func kernel16x6(
        _ xp: UnsafePointer<Float>, _ w: UnsafePointer<Float>, column: Int, width: Int, _ d: Depth, n: Int,
        _ y: UnsafeMutablePointer<Float>, rows: Int, _ accumulate: Bool
    ) {
        let w0 = row(w, column, 0, width: width, d), w1 = row(w, column, 1, width: width, d)
        let w2 = row(w, column, 2, width: width, d), w3 = row(w, column, 3, width: width, d)
        let w4 = row(w, column, 4, width: width, d), w5 = row(w, column, 5, width: width, d)
        var c00 = d.resume(0), c01 = d.resume(1), c02 = d.resume(2), c03 = d.resume(3), c04 = d.resume(4), c05 = d.resume(5)
        var c10 = d.resume(6), c11 = d.resume(7), c12 = d.resume(8), c13 = d.resume(9), c14 = d.resume(10), c15 = d.resume(11)
        var a = xp
        for p in 0 ..< d.count {
            let a0 = load(a), a1 = load(a + 8)
            var b = Lanes(repeating: w0[p])
            c00 = c00.addingProduct(a0, b); c10 = c10.addingProduct(a1, b)
            b = Lanes(repeating: w1[p])
            c01 = c01.addingProduct(a0, b); c11 = c11.addingProduct(a1, b)
            b = Lanes(repeating: w2[p])
            c02 = c02.addingProduct(a0, b); c12 = c12.addingProduct(a1, b)
            b = Lanes(repeating: w3[p])
            c03 = c03.addingProduct(a0, b); c13 = c13.addingProduct(a1, b)
            b = Lanes(repeating: w4[p])
            c04 = c04.addingProduct(a0, b); c14 = c14.addingProduct(a1, b)
            b = Lanes(repeating: w5[p])
            c05 = c05.addingProduct(a0, b); c15 = c15.addingProduct(a1, b)
            a += 16
        }
        guard d.last else {
            d.park(0, c00); d.park(1, c01); d.park(2, c02); d.park(3, c03); d.park(4, c04); d.park(5, c05)
            d.park(6, c10); d.park(7, c11); d.park(8, c12); d.park(9, c13); d.park(10, c14); d.park(11, c15)
            return
        }
        let high = y + 8 * n, upper = rows - 8
        func put(_ c: Int, _ low: Lanes, _ up: Lanes) {
            guard c < width else { return }
            store(low, y + c, ldy: n, rows: rows, accumulate)
            if upper > 0 { store(up, high + c, ldy: n, rows: upper, accumulate) }
        }
        put(0, c00, c10); put(1, c01, c11); put(2, c02, c12); put(3, c03, c13); put(4, c04, c14); put(5, c05, c15)
    }

    /// A panel of 8 rows against `width ≤ 12` columns starting at `column` (short products: decoding).
    @inline(never)
    private static func kernel8x12(
        _ xp: UnsafePointer<Float>, _ w: UnsafePointer<Float>, column: Int, width: Int, _ d: Depth, n: Int,
        _ y: UnsafeMutablePointer<Float>, rows: Int, _ accumulate: Bool
    ) {
        let w0 = row(w, column, 0, width: width, d), w1 = row(w, column, 1, width: width, d)
        let w2 = row(w, column, 2, width: width, d), w3 = row(w, column, 3, width: width, d)
        let w4 = row(w, column, 4, width: width, d), w5 = row(w, column, 5, width: width, d)
        let w6 = row(w, column, 6, width: width, d), w7 = row(w, column, 7, width: width, d)
        let w8 = row(w, column, 8, width: width, d), w9 = row(w, column, 9, width: width, d)
        let w10 = row(w, column, 10, width: width, d), w11 = row(w, column, 11, width: width, d)
        var c0 = d.resume(0), c1 = d.resume(1), c2 = d.resume(2), c3 = d.resume(3), c4 = d.resume(4), c5 = d.resume(5)
        var c6 = d.resume(6), c7 = d.resume(7), c8 = d.resume(8), c9 = d.resume(9), c10 = d.resume(10), c11 = d.resume(11)
        var a = xp
        for p in 0 ..< d.count {
            let a0 = load(a)
            c0 = c0.addingProduct(a0, Lanes(repeating: w0[p])); c1 = c1.addingProduct(a0, Lanes(repeating: w1[p]))
            c2 = c2.addingProduct(a0, Lanes(repeating: w2[p])); c3 = c3.addingProduct(a0, Lanes(repeating: w3[p]))
            c4 = c4.addingProduct(a0, Lanes(repeating: w4[p])); c5 = c5.addingProduct(a0, Lanes(repeating: w5[p]))
            c6 = c6.addingProduct(a0, Lanes(repeating: w6[p])); c7 = c7.addingProduct(a0, Lanes(repeating: w7[p]))
            c8 = c8.addingProduct(a0, Lanes(repeating: w8[p])); c9 = c9.addingProduct(a0, Lanes(repeating: w9[p]))
            c10 = c10.addingProduct(a0, Lanes(repeating: w10[p])); c11 = c11.addingProduct(a0, Lanes(repeating: w11[p]))
            a += 8
        }
        guard d.last else {
            d.park(0, c0); d.park(1, c1); d.park(2, c2); d.park(3, c3); d.park(4, c4); d.park(5, c5)
            d.park(6, c6); d.park(7, c7); d.park(8, c8); d.park(9, c9); d.park(10, c10); d.park(11, c11)
            return
        }
        func put(_ c: Int, _ acc: Lanes) {
            if c < width { store(acc, y + c, ldy: n, rows: rows, accumulate) }
        }
        put(0, c0); put(1, c1); put(2, c2); put(3, c3); put(4, c4); put(5, c5)
        put(6, c6); put(7, c7); put(8, c8); put(9, c9); put(10, c10); put(11, c11)
    }

    // MARK: - The attention's dot product

    /// `Σ a[p]·b[p]` for `p < count` in one fixed order (eight lanes, each a chain of fused
    /// multiply-adds over every eighth element, the lanes added in a fixed tree, then the last
    /// `count % 8` products in order): the attention's scores, which do not depend on the batch.
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

    /// Four dot products of `a` with `b0 … b3`, each evaluated exactly as `dot` (interleaved, so that
    /// the four chains of fused multiply-adds overlap).
    @inline(__always)
    static func dot4(
        _ a: UnsafePointer<Float>, _ b0: UnsafePointer<Float>, _ b1: UnsafePointer<Float>, _ b2: UnsafePointer<Float>,
        _ b3: UnsafePointer<Float>, count: Int
    ) -> SIMD4<Float> {
        var acc0 = Lanes(), acc1 = Lanes(), acc2 = Lanes(), acc3 = Lanes()
        var p = 0
        while p + 8 <= count {
            let x = load(a + p)
            acc0 = acc0.addingProduct(x, load(b0 + p)); acc1 = acc1.addingProduct(x, load(b1 + p))
            acc2 = acc2.addingProduct(x, load(b2 + p)); acc3 = acc3.addingProduct(x, load(b3 + p))
            p += 8
        }
        return SIMD4(finish(acc0, a, b0, from: p, count: count), finish(acc1, a, b1, from: p, count: count),
                     finish(acc2, a, b2, from: p, count: count), finish(acc3, a, b3, from: p, count: count))
    }

    /// The lanes of `acc` added in a fixed tree, then the products `from ..< count` in order.
    @inline(__always)
    private static func finish(_ acc: Lanes, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, from start: Int, count: Int) -> Float {
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
}
