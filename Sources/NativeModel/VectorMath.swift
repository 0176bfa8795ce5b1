/// Elementwise math for the engine's hot loops, written as plain loops over raw pointers without
/// calls so that the compiler vectorises them. `exp` is accurate to about 2 ulp (Cephes' `expf`
/// polynomial after range reduction by ln 2).
///
/// The sampler keeps the C library's `expf` so that its draws equal `run.c`'s bit for bit.
enum VectorMath {
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let clamped = Swift.min(Swift.max(x, -87.33654), 88.72283)
        // Round x·log2(e) to the nearest integer n by adding 1.5·2^23: n then sits in the low
        // mantissa bits of t, which also gives 2^n by integer arithmetic on the bits.
        let magic: Float = 12_582_912
        let t = clamped * 1.442_695_04 + magic
        let n = t - magic
        var r = clamped - n * 0.693_359_375
        r = r - n * -2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_1e-1
        p = p * r * r + r + 1
        let bits = (t.bitPattern &- (0x4B40_0000 - 127)) &<< 23
        return p * Float(bitPattern: bits)
    }

    /// The largest of `count` values (`-infinity` when empty).
    static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var m0: Float = -.infinity, m1: Float = -.infinity, m2: Float = -.infinity, m3: Float = -.infinity
        var i = 0
        while i + 4 <= count {
            m0 = Swift.max(m0, x[i]); m1 = Swift.max(m1, x[i + 1]); m2 = Swift.max(m2, x[i + 2]); m3 = Swift.max(m3, x[i + 3])
            i += 4
        }
        while i < count { m0 = Swift.max(m0, x[i]); i += 1 }
        return Swift.max(Swift.max(m0, m1), Swift.max(m2, m3))
    }

    /// `x[i] = exp(x[i] - shift)` in place; returns the sum of the results.
    @discardableResult
    static func expShifted(_ x: UnsafeMutablePointer<Float>, count: Int, shift: Float) -> Float {
        for i in 0 ..< count { x[i] = exp(x[i] - shift) }
        return sum(x, count: count)
    }

    /// Sum of `count` values, in 8 interleaved partial sums.
    static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var s = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
        var i = 0
        while i + 8 <= count {
            s.0 += x[i]; s.1 += x[i + 1]; s.2 += x[i + 2]; s.3 += x[i + 3]
            s.4 += x[i + 4]; s.5 += x[i + 5]; s.6 += x[i + 6]; s.7 += x[i + 7]
            i += 8
        }
        var total = ((s.0 + s.1) + (s.2 + s.3)) + ((s.4 + s.5) + (s.6 + s.7))
        while i < count { total += x[i]; i += 1 }
        return total
    }

    /// Sum of `exp(x[i] - shift)` (log-sum-exp of a logits row), in blocks summed in Double.
    static func sumExpShifted(_ x: UnsafePointer<Float>, count: Int, shift: Float) -> Double {
        var block = [Float](repeating: 0, count: 256)
        var total = 0.0
        block.withUnsafeMutableBufferPointer { b in
            var start = 0
            while start < count {
                let n = Swift.min(256, count - start)
                for i in 0 ..< n { b[i] = exp(x[start + i] - shift) }
                total += Double(sum(b.baseAddress!, count: n))
                start += n
            }
        }
        return total
    }

    /// `x[i] *= factor`.
    static func scale(_ x: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
        for i in 0 ..< count { x[i] *= factor }
    }
}
