import Foundation

/// llama2.c's sampler, reproduced operation for operation so that the same seed, temperature and
/// top-p give the same tokens as `run.c`.
///
/// Randomness is xorshift64* (`s ^= s >> 12; s ^= s << 25; s ^= s >> 27; (s * 0x2545F4914F6CDD1D) >> 32`);
/// a coin is `(u32 >> 8) / 2^24`. Temperature 0 is greedy (first maximum). With 0 < top-p < 1, nucleus
/// sampling keeps the candidates with p >= (1 - top-p) / (n - 1), sorted by descending probability,
/// up to the first whose cumulative probability exceeds top-p.
public struct Sampler: Sendable {
    public let temperature: Float
    public let topP: Float
    private var state: UInt64

    /// - Parameter seed: must not be 0 (xorshift would only ever produce zeros).
    public init(temperature: Float, topP: Float, seed: UInt64) {
        precondition(seed != 0, "the xorshift64* sampler needs a non-zero seed")
        self.temperature = temperature
        self.topP = topP
        self.state = seed
    }

    public mutating func nextUInt32() -> UInt32 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return UInt32(truncatingIfNeeded: (state &* 0x2545_F491_4F6C_DD1D) >> 32)
    }

    public mutating func nextFloat() -> Float { Float(nextUInt32() >> 8) / 16_777_216.0 }

    /// Picks the next token from `logits` (`count` values), which it overwrites with probabilities.
    public mutating func sample(_ logits: UnsafeMutablePointer<Float>, count n: Int) -> Int {
        if temperature == 0 { return Self.argmax(logits, count: n) }
        for i in 0 ..< n { logits[i] /= temperature }
        Self.softmax(logits, count: n)
        let coin = nextFloat()
        if topP <= 0 || topP >= 1 {
            var cdf: Float = 0
            for i in 0 ..< n {
                cdf += logits[i]
                if coin < cdf { return i }
            }
            return n - 1
        }
        let cutoff = (1 - topP) / Float(n - 1)
        var candidates: [(index: Int, p: Float)] = []
        for i in 0 ..< n where logits[i] >= cutoff { candidates.append((i, logits[i])) }
        // run.c's qsort is glibc's merge sort: stable, so ties keep index order.
        candidates.sort { $0.p > $1.p || ($0.p == $1.p && $0.index < $1.index) }
        var cumulative: Float = 0
        var last = candidates.count - 1
        for (i, c) in candidates.enumerated() {
            cumulative += c.p
            if cumulative > topP { last = i; break }
        }
        let r = coin * cumulative
        var cdf: Float = 0
        for i in 0 ... last {
            cdf += candidates[i].p
            if r < cdf { return candidates[i].index }
        }
        return candidates[last].index
    }

    /// Index of the first largest value.
    public static func argmax(_ x: UnsafePointer<Float>, count n: Int) -> Int {
        var best = 0
        for i in 1 ..< max(n, 1) where x[i] > x[best] { best = i }
        return best
    }

    /// In-place softmax in Float, in run.c's order of operations.
    static func softmax(_ x: UnsafeMutablePointer<Float>, count n: Int) {
        var maximum = x[0]
        for i in 1 ..< n where x[i] > maximum { maximum = x[i] }
        var sum: Float = 0
        for i in 0 ..< n {
            x[i] = Foundation.exp(x[i] - maximum)
            sum += x[i]
        }
        for i in 0 ..< n { x[i] /= sum }
    }
}
