import Harness

/// xoshiro256** 1.0 (Blackman & Vigna 2018): the seeded, deterministic generator behind every
/// bootstrap in ForgetBench.
///
/// - Seeding: ``init(seed:)`` fills the four state words with four consecutive outputs of
///   ``SplitMix64`` seeded with `seed` (the seeding the authors recommend).
/// - Output: `rotl(s1 * 5, 7) * 9`, then the xoshiro state transition.
/// - Bounded integers: ``nextInt(below:)`` uses Lemire's multiply-shift method with rejection
///   (unbiased), spelled out here rather than delegated to the standard library, so results do not
///   depend on the Swift version's `random(in:using:)` implementation.
/// - Doubles: ``nextDouble()`` is `(next() >> 11) * 2^-53`, uniform on `[0, 1)`.
///
/// Everything is 64-bit integer arithmetic: the same seed gives the same stream on every
/// platform and in the Python reference (`scripts/reference/metrics_reference.py`).
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Hashable, Codable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// The 256-bit state as four words `[s0, s1, s2, s3]`; never all zero.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// Seeds the state with four outputs of `SplitMix64(seed:)`.
    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next()
        s1 = sm.next()
        s2 = sm.next()
        s3 = sm.next()
    }

    /// Starts from a raw state (for published test vectors). Returns `nil` unless there are exactly
    /// four words and not all are zero.
    public init?(rawState: [UInt64]) {
        guard rawState.count == 4, rawState.contains(where: { $0 != 0 }) else { return nil }
        (s0, s1, s2, s3) = (rawState[0], rawState[1], rawState[2], rawState[3])
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// A uniform integer in `0..<bound` (Lemire 2019, "Fast random integer generation in an
    /// interval", with rejection, so unbiased). `bound` must be positive.
    public mutating func nextInt(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold {
                m = next().multipliedFullWidth(by: bound)
            }
        }
        return m.high
    }

    /// A uniform integer in `0..<bound` as an `Int`. `bound` must be positive.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        return Int(nextInt(below: UInt64(bound)))
    }

    /// A uniform double in `[0, 1)`: the top 53 bits of ``next()`` times 2⁻⁵³.
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
