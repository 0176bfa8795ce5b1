/// The products of a few rows (decoding: one row per sequence), where the packed kernels' panels
/// of eight or sixteen rows would compute mostly padding.
///
/// Here the lanes hold eight columns instead of eight rows: eight rows of `W` are loaded eight
/// steps at a time and transposed in registers, so lane `c` of step `p` holds `w[j + c][p]`, and
/// a row's accumulator advances by `fma(x[i][p], w[j + c][p], s)` for `p = 0, 1, …, k-1` from
/// `s = 0`: the same chain per element as the packed kernels, so the same bits (a row decoded alone
/// equals that row in a batch of sixteen).
extension InvariantGEMM {
    /// Rows below which a product takes this route (from four rows on, the packed kernel's panel of
    /// eight does less work than four transposes of `W`).
    static let fewRows = 4

    /// `y = x · wᵀ` (or `y += x · wᵀ`) for `m < fewRows` rows, row by row, 32 columns at a time
    /// (four independent chains per row keep the fused multiply-adds in flight), the columns shared
    /// out to the threads.
    static func multiplyFewRows(m: Int, k: Int, _ x: UnsafePointer<Float>, _ products: [Product]) {
        let share = ColumnShare(products, m: m, k: k, run: 32)
        Parallel.forEach(share.threads) { t in
            share.forEachRange(ofThread: t, products) { p, range in
                for j in stride(from: range.lowerBound, to: range.upperBound, by: 32) {
                    for r in 0 ..< m {
                        if j + 32 <= p.n {
                            full32(k: k, x + r * k, p.w, column: j, p.y + r * p.n, p.accumulate)
                        } else {
                            part32(k: k, x + r * k, p.w, column: j, width: p.n - j, p.y + r * p.n, p.accumulate)
                        }
                    }
                }
            }
        }
    }

    /// 32 whole columns from `column`.
    @inline(never)
    private static func full32(
        k: Int, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, column: Int, _ y: UnsafeMutablePointer<Float>, _ accumulate: Bool
    ) {
        columns32(k: k, x, w, column: column, width: 32, y, accumulate)
    }

    /// The last `width < 32` columns of a product, from `column`.
    @inline(never)
    private static func part32(
        k: Int, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, column: Int, width: Int,
        _ y: UnsafeMutablePointer<Float>, _ accumulate: Bool
    ) {
        columns32(k: k, x, w, column: column, width: width, y, accumulate)
    }

    /// Columns `column ..< column + width` (`width ≤ 32`) of one row `x`, into `y[column...]`.
    @inline(__always)
    private static func columns32(
        k: Int, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, column: Int, width: Int,
        _ y: UnsafeMutablePointer<Float>, _ accumulate: Bool
    ) {
        // Rows of `W` past the product's last column repeat the last one (computed, not stored).
        let base = w + column * k, lastRow = w + (column + width - 1) * k
        @inline(__always) func row(_ c: Int) -> UnsafePointer<Float> { c < width ? base + c * k : lastRow }
        /// Eight steps `p ..< p + 8` of the chains of columns `c ..< c + 8`.
        @inline(__always) func steps(_ acc: Lanes, _ c: Int, _ p: Int) -> Lanes {
            let t = transpose8(load(row(c) + p), load(row(c + 1) + p), load(row(c + 2) + p), load(row(c + 3) + p),
                               load(row(c + 4) + p), load(row(c + 5) + p), load(row(c + 6) + p), load(row(c + 7) + p))
            var s = acc.addingProduct(Lanes(repeating: x[p]), t.0)
            s = s.addingProduct(Lanes(repeating: x[p + 1]), t.1)
            s = s.addingProduct(Lanes(repeating: x[p + 2]), t.2)
            s = s.addingProduct(Lanes(repeating: x[p + 3]), t.3)
            s = s.addingProduct(Lanes(repeating: x[p + 4]), t.4)
            s = s.addingProduct(Lanes(repeating: x[p + 5]), t.5)
            s = s.addingProduct(Lanes(repeating: x[p + 6]), t.6)
            return s.addingProduct(Lanes(repeating: x[p + 7]), t.7)
        }
        @inline(__always) func step(_ acc: Lanes, _ c: Int, _ p: Int) -> Lanes {
            let v = Lanes(row(c)[p], row(c + 1)[p], row(c + 2)[p], row(c + 3)[p], row(c + 4)[p], row(c + 5)[p], row(c + 6)[p], row(c + 7)[p])
            return acc.addingProduct(Lanes(repeating: x[p]), v)
        }
        var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes()
        let groups = (width + 7) / 8
        var p = 0
        while p + 8 <= k {
            a0 = steps(a0, 0, p)
            if groups > 1 { a1 = steps(a1, 8, p) }
            if groups > 2 { a2 = steps(a2, 16, p) }
            if groups > 3 { a3 = steps(a3, 24, p) }
            p += 8
        }
        while p < k {
            a0 = step(a0, 0, p)
            if groups > 1 { a1 = step(a1, 8, p) }
            if groups > 2 { a2 = step(a2, 16, p) }
            if groups > 3 { a3 = step(a3, 24, p) }
            p += 1
        }
        func put(_ c: Int, _ acc: Lanes) {
            for i in 0 ..< min(8, width - c) {
                if accumulate { y[column + c + i] += acc[i] } else { y[column + c + i] = acc[i] }
            }
        }
        put(0, a0)
        if groups > 1 { put(8, a1) }
        if groups > 2 { put(16, a2) }
        if groups > 3 { put(24, a3) }
    }

    /// The 8 × 8 transpose of rows `a … h`: element `q` of result `c` is element `c` of row `q`.
    @inline(__always)
    static func transpose8(
        _ a: Lanes, _ b: Lanes, _ c: Lanes, _ d: Lanes, _ e: Lanes, _ f: Lanes, _ g: Lanes, _ h: Lanes
    ) -> (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes) {
        // Interleave pairs of rows, then pairs of pairs, within each half; then swap the halves.
        func low(_ x: Lanes, _ y: Lanes) -> Lanes { Lanes(x[0], y[0], x[1], y[1], x[4], y[4], x[5], y[5]) }
        func high(_ x: Lanes, _ y: Lanes) -> Lanes { Lanes(x[2], y[2], x[3], y[3], x[6], y[6], x[7], y[7]) }
        func evens(_ x: Lanes, _ y: Lanes) -> Lanes { Lanes(x[0], x[1], y[0], y[1], x[4], x[5], y[4], y[5]) }
        func odds(_ x: Lanes, _ y: Lanes) -> Lanes { Lanes(x[2], x[3], y[2], y[3], x[6], x[7], y[6], y[7]) }
        let t0 = low(a, b), t1 = high(a, b), t2 = low(c, d), t3 = high(c, d)
        let t4 = low(e, f), t5 = high(e, f), t6 = low(g, h), t7 = high(g, h)
        let u0 = evens(t0, t2), u1 = odds(t0, t2), u2 = evens(t1, t3), u3 = odds(t1, t3)
        let u4 = evens(t4, t6), u5 = odds(t4, t6), u6 = evens(t5, t7), u7 = odds(t5, t7)
        return (Lanes(lowHalf: u0.lowHalf, highHalf: u4.lowHalf), Lanes(lowHalf: u1.lowHalf, highHalf: u5.lowHalf),
                Lanes(lowHalf: u2.lowHalf, highHalf: u6.lowHalf), Lanes(lowHalf: u3.lowHalf, highHalf: u7.lowHalf),
                Lanes(lowHalf: u0.highHalf, highHalf: u4.highHalf), Lanes(lowHalf: u1.highHalf, highHalf: u5.highHalf),
                Lanes(lowHalf: u2.highHalf, highHalf: u6.highHalf), Lanes(lowHalf: u3.highHalf, highHalf: u7.highHalf))
    }
}
