#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// The Binomial(n, 1/2) distribution, computed to near machine precision for any `n`: the null
/// distribution of the exact McNemar (sign) test.
///
/// The probability mass uses Loader's saddle-point expansion ("Fast and accurate computation of
/// binomial probabilities", 2000; the algorithm of R's `dbinom`), which avoids the cancellation of
/// `lgamma(n+1) - lgamma(k+1) - lgamma(n-k+1)` for large `n`. The lower tail sums the mass
/// downward from `k` with the exact term ratio `pmf(i-1)/pmf(i) = i / (n - i + 1)`, stopping once
/// terms no longer change the sum.
enum FairCoinBinomial {
    /// Stirling-series error `log(n!) - [(n + 1/2) log n - n + log(sqrt(2π))]` at n = 0...15
    /// (values at the integers from Loader's / R's `stirlerr` table; 0 by convention at n = 0).
    private static let stirlerrTable: [Double] = [
        0.0,
        0.0810614667953272582196702,
        0.0413406959554092940938221,
        0.02767792568499833914878929,
        0.02079067210376509311152277,
        0.01664469118982119216319487,
        0.01387612882307074799874573,
        0.01189670994589177009505572,
        0.010411265261972096497478567,
        0.009255462182712732917728637,
        0.008330563433362871256469318,
        0.007573675487951840794972024,
        0.006942840107209529865664152,
        0.006408994188004207068439631,
        0.005951370112758847735624416,
        0.005554733551962801371038690,
    ]

    static func stirlerr(_ n: Int) -> Double {
        if n <= 15 { return stirlerrTable[n] }
        let s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680, s4 = 1.0 / 1188
        let x = Double(n)
        let nn = x * x
        if n > 500 { return (s0 - s1 / nn) / x }
        if n > 80 { return (s0 - (s1 - s2 / nn) / nn) / x }
        if n > 35 { return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / x }
        return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / x
    }

    /// Loader's deviance term `x log(x/np) + np - x`, computed without cancellation when x ≈ np.
    static func bd0(_ x: Double, _ np: Double) -> Double {
        if abs(x - np) < 0.1 * (x + np) {
            var v = (x - np) / (x + np)
            var s = (x - np) * v
            var ej = 2 * x * v
            v *= v
            var j = 1.0
            while j < 1000 {
                ej *= v
                let s1 = s + ej / (2 * j + 1)
                if s1 == s { return s1 }
                s = s1
                j += 1
            }
            return s
        }
        return x * log(x / np) + np - x
    }

    /// P(X = k) for X ~ Binomial(n, 1/2); 0 outside `0...n`.
    static func pmf(_ k: Int, _ n: Int) -> Double {
        precondition(n >= 0)
        guard k >= 0, k <= n else { return 0 }
        if k == 0 || k == n { return scalbn(1.0, -n) }  // exactly 2^-n (0 once it underflows)
        let half = Double(n) / 2
        let lc = stirlerr(n) - stirlerr(k) - stirlerr(n - k) - bd0(Double(k), half) - bd0(Double(n - k), half)
        let lf = log(2 * Double.pi) + log(Double(k)) + log1p(-Double(k) / Double(n))
        return exp(lc - 0.5 * lf)
    }

    /// P(X <= k) for X ~ Binomial(n, 1/2).
    static func cdf(_ k: Int, _ n: Int) -> Double {
        precondition(n >= 0)
        if k < 0 { return 0 }
        if k >= n { return 1 }
        if 2 * k >= n {
            // The upper part: 1 - P(X <= n-k-1) by symmetry, where the lower tail is accurate.
            return 1 - cdf(n - k - 1, n)
        }
        // k < n/2: Σ_{i<=k} pmf(i) = pmf(k) · Σ_j Π_{i<j} (k - i) / (n - k + i + 1); terms shrink.
        var sum = 1.0
        var term = 1.0
        var i = 0
        while i < k {
            term *= Double(k - i) / Double(n - k + i + 1)
            let next = sum + term
            if next == sum { break }
            sum = next
            i += 1
        }
        return pmf(k, n) * sum
    }
}
