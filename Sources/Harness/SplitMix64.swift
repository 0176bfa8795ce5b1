/// SplitMix64 (Steele, Lea & Flood 2014; Vigna's `splitmix64.c`): the project's one small seeded
/// generator — weight initialisation, few-shot and masking draws, and the seeding of Metrics'
/// `Xoshiro256StarStar`.
///
/// Each call adds the golden-ratio increment `0x9E3779B97F4A7C15` to the state and returns a mixed
/// copy. Pure 64-bit integer arithmetic, so the stream is identical on every platform.
/// Seeded with 1234567 it yields 6457827717110365317, 3203168211198807973, 9817491932198370423, ...
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable, Codable {
    /// The current state (the seed before the first call).
    public var state: UInt64

    /// Creates a generator whose state is `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SplitMix64 {
    /// A uniform float in [0, 1) with 24 bits of precision (the top bits of the next output).
    public mutating func nextUniform() -> Float { Float(next() >> 40) / Float(1 << 24) }
}

extension SplitMix64 {
    /// A uniform integer in `0 ..< bound` (`bound > 0`) by Lemire's multiply-shift with rejection,
    /// so it never depends on the standard library's algorithm.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        let b = UInt64(bound)
        let threshold = (0 &- b) % b
        while true {
            let r = next().multipliedFullWidth(by: b)
            if r.low >= threshold { return Int(r.high) }
        }
    }
}
