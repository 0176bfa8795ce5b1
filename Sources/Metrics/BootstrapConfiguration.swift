/// Settings for a bootstrap: how many resamples, which seed, which interval level.
///
/// Recorded with every result so a run can be reproduced exactly: the same configuration and the
/// same items give bit-identical intervals and p-values on every platform (see ``Xoshiro256StarStar``).
public struct BootstrapConfiguration: Sendable, Codable, Hashable {
    /// Number of resamples `B` (`>= 1`; 10,000 is a good default for 95% intervals and p-values
    /// down to about 1e-3; the smallest attainable p-value is `2 / (B + 1)`).
    public var resamples: Int
    /// Seed of the ``Xoshiro256StarStar`` generator that draws the resampled item indices.
    public var seed: UInt64
    /// Two-sided interval coverage in `(0, 1)`, default `0.95`.
    public var level: Double

    /// Creates a configuration (`resamples` 10,000, `level` 0.95 by default).
    public init(resamples: Int = 10_000, seed: UInt64, level: Double = 0.95) {
        self.resamples = resamples
        self.seed = seed
        self.level = level
    }

    func validate() throws {
        guard resamples >= 1 else {
            throw MetricsError.invalidParameter(name: "resamples", value: "\(resamples)", expected: "at least 1")
        }
        try MetricsError.checkLevel(level)
    }
}
