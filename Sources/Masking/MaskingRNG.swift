/// A SplitMix64 generator (Steele, Lea and Flood 2014): the seeded generator behind `random` masking. Fixed
/// here rather than taken from the standard library so a seed picks the same tokens on every
/// platform and Swift version.
public struct MaskingRNG: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound` (bound > 0) by Lemire's multiply-shift with rejection.
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
