import Testing
@testable import Metrics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct BootstrapTests {
    @Test func meanMatchesPythonReplay() throws {
        for ref in try ReferenceFixture.shared().bootstrap.mean {
            let cfg = BootstrapConfiguration(resamples: ref.resamples, seed: ref.seed, level: ref.level)
            let reps = try Bootstrap.meanReplicates(ref.values, configuration: cfg)
            for (a, b) in zip(reps, ref.firstReplicates) { #expect(isClose(a, b, rel: 1e-14, abs: 1e-15)) }
            let r = try Bootstrap.mean(ref.values, configuration: cfg)
            #expect(isClose(r.estimate, ref.estimate, abs: 1e-15), "\(ref.name)")
            #expect(isClose(r.interval.lower, ref.lower, rel: 1e-12, abs: 1e-15), "\(ref.name)")
            #expect(isClose(r.interval.upper, ref.upper, rel: 1e-12, abs: 1e-15), "\(ref.name)")
            #expect(isClose(r.standardError, ref.stderr, rel: 1e-10), "\(ref.name)")
            #expect(r.interval.level == ref.level && r.count == ref.values.count)
        }
    }

    @Test func pairedMatchesPythonReplay() throws {
        for ref in try ReferenceFixture.shared().bootstrap.paired {
            let cfg = BootstrapConfiguration(resamples: ref.resamples, seed: ref.seed, level: ref.level)
            let r = try Bootstrap.pairedMeanDifference(base: ref.base, candidate: ref.candidate, configuration: cfg)
            #expect(isClose(r.meanDifference, ref.difference, rel: 1e-12, abs: 1e-15), "\(ref.name)")
            #expect(isClose(r.interval.lower, ref.lower, rel: 1e-12, abs: 1e-15), "\(ref.name)")
            #expect(isClose(r.interval.upper, ref.upper, rel: 1e-12, abs: 1e-15), "\(ref.name)")
            #expect(isClose(r.standardError, ref.stderr, rel: 1e-10, abs: 1e-15), "\(ref.name)")
            #expect(r.pValue == ref.p, "\(ref.name)")
        }
    }

    @Test func identicalModelsGivePValueOne() throws {
        let x = [0.1, 0.5, 0.9, 0.3]
        let r = try Bootstrap.pairedMeanDifference(base: x, candidate: x, configuration: .init(resamples: 200, seed: 3))
        #expect(r.pValue == 1 && r.interval.lower == 0 && r.interval.upper == 0 && r.meanDifference == 0)
    }

    @Test func sameSeedSameResultDifferentSeedDifferentResult() throws {
        let x = (0..<40).map { Double($0 % 7) / 7 }
        let a = try Bootstrap.mean(x, configuration: .init(resamples: 300, seed: 1))
        let b = try Bootstrap.mean(x, configuration: .init(resamples: 300, seed: 1))
        let c = try Bootstrap.mean(x, configuration: .init(resamples: 300, seed: 2))
        #expect(a == b)
        #expect(a.interval != c.interval)
    }

    @Test func quantileIsNumpyLinear() {
        let s = [1.0, 2, 3, 4, 10]
        #expect(Quantile.linear(sorted: s, 0) == 1)
        #expect(Quantile.linear(sorted: s, 1) == 10)
        #expect(Quantile.linear(sorted: s, 0.5) == 3)
        #expect(isClose(Quantile.linear(sorted: s, 0.9), 7.6, rel: 1e-15))  // h = 3.6: 4 + 0.6 * 6
        #expect(Quantile.linear(sorted: s, 0.9) == 7.6000000000000005)  // numpy.percentile, bit for bit
        #expect(Quantile.linear(sorted: [5], 0.3) == 5)
        #expect(Quantile.linear(sorted: [], 0.5).isNaN)
    }

    @Test func badConfigurationThrows() {
        #expect(throws: MetricsError.self) { try Bootstrap.mean([1, 2], configuration: .init(resamples: 0, seed: 1)) }
        #expect(throws: MetricsError.self) { try Bootstrap.mean([1, 2], configuration: .init(resamples: 10, seed: 1, level: 1)) }
        #expect(throws: MetricsError.self) { try Bootstrap.mean([], configuration: .init(resamples: 10, seed: 1)) }
    }

    /// 200 data sets of n = 40 draws from N(2, 1); the 95% percentile bootstrap interval of the
    /// mean (B = 1000) should cover 2 about 95% of the time. Coverage over 200 sets has a binomial
    /// sd of about 0.015 (and the percentile interval undercovers slightly at n = 40), hence [0.90, 0.99].
    @Test func percentileIntervalCoverage() throws {
        var data = Xoshiro256StarStar(seed: 777)
        let mu = 2.0
        var covered = 0
        let sets = 200
        for s in 0..<sets {
            let x = (0..<40).map { _ in mu + standardNormal(&data) }
            let r = try Bootstrap.mean(x, configuration: .init(resamples: 1000, seed: UInt64(s)))
            if r.interval.contains(mu) { covered += 1 }
        }
        let coverage = Double(covered) / Double(sets)
        #expect(coverage >= 0.90 && coverage <= 0.99, "coverage \(coverage)")
    }

    /// Under H0 (paired differences centred on 0) the paired-bootstrap p-value should fall below 0.05
    /// about 5% of the time: over 200 data sets, between 1% and 11%.
    @Test func pairedPValueTypeIError() throws {
        var data = Xoshiro256StarStar(seed: 4242)
        var rejections = 0
        let sets = 200
        for s in 0..<sets {
            let base = (0..<40).map { _ in standardNormal(&data) }
            let candidate = base.map { $0 + 0.5 * standardNormal(&data) }
            let r = try Bootstrap.pairedMeanDifference(base: base, candidate: candidate, configuration: .init(resamples: 500, seed: UInt64(1000 + s)))
            if r.pValue < 0.05 { rejections += 1 }
        }
        let rate = Double(rejections) / Double(sets)
        #expect(rate >= 0.01 && rate <= 0.11, "type I error rate \(rate)")
    }
}

/// Box–Muller standard normal from the seeded generator (test data only).
func standardNormal(_ g: inout Xoshiro256StarStar) -> Double {
    let u1 = 1 - g.nextDouble()  // (0, 1]
    let u2 = g.nextDouble()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
}
