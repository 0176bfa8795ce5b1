/// The exact McNemar test for paired 0/1 outcomes (base model vs candidate on the same items).
///
/// Only discordant items carry information: `b` items the base got right and the candidate got
/// wrong, `c` items the base got wrong and the candidate got right. Under H0 (equal accuracy) each
/// discordant item is a fair coin, so the two-sided exact p-value is
///
///     p = min(1, 2 · P(X <= min(b, c))),  X ~ Binomial(b + c, 1/2),
///
/// and `p = 1` when `b + c = 0`. This equals `scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue`
/// (and R's `binom.test`) and is computed to about 1e-14 relative for any `n` (no `lgamma`
/// cancellation; see ``FairCoinBinomial``). For very large, lopsided counts the p-value underflows
/// to 0 below about 1e-308.
public struct McNemarTest: Sendable, Codable, Hashable {
    /// Items the base got right and the candidate got wrong (losses).
    public var baseOnlyCorrect: Int
    /// Items the base got wrong and the candidate got right (wins).
    public var candidateOnlyCorrect: Int
    /// Two-sided exact p-value in `[0, 1]`.
    public var pValue: Double

    /// `b + c`, the number of discordant items.
    public var discordant: Int { baseOnlyCorrect + candidateOnlyCorrect }

    /// Runs the test from discordant counts.
    ///
    /// - Parameters:
    ///   - b: items right under the base only (`>= 0`).
    ///   - c: items right under the candidate only (`>= 0`).
    /// - Throws: ``MetricsError/invalidParameter(name:value:expected:)`` for a negative count.
    public init(b: Int, c: Int) throws {
        guard b >= 0 else { throw MetricsError.invalidParameter(name: "b", value: "\(b)", expected: "a non-negative count") }
        guard c >= 0 else { throw MetricsError.invalidParameter(name: "c", value: "\(c)", expected: "a non-negative count") }
        baseOnlyCorrect = b
        candidateOnlyCorrect = c
        pValue = McNemarTest.exactPValue(b: b, c: c)
    }

    /// Runs the test on paired outcomes (`true` = correct), item `i` of each list being the same item.
    ///
    /// - Throws: ``MetricsError/lengthMismatch(first:second:)`` when the lists differ in length.
    public init(base: [Bool], candidate: [Bool]) throws {
        guard base.count == candidate.count else {
            throw MetricsError.lengthMismatch(first: base.count, second: candidate.count)
        }
        var b = 0, c = 0
        for (x, y) in zip(base, candidate) {
            if x && !y { b += 1 } else if !x && y { c += 1 }
        }
        try self.init(b: b, c: c)
    }

    /// The two-sided exact p-value `min(1, 2 · BinomCDF(min(b, c); b + c, 1/2))`; 1 when `b + c = 0`.
    /// Counts must be non-negative.
    public static func exactPValue(b: Int, c: Int) -> Double {
        precondition(b >= 0 && c >= 0, "counts must be non-negative")
        let n = b + c
        if n == 0 { return 1 }
        let k = min(b, c)
        if 2 * k + 1 >= n { return 1 }  // b == c, or |b - c| = 1: CDF(k) >= 1/2, so 2·CDF >= 1
        return min(1, 2 * FairCoinBinomial.cdf(k, n))
    }
}
