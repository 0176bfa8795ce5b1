import Foundation
import Testing
@testable import Metrics

@Suite struct WilsonIntervalTests {
    /// statsmodels 0.15.0, `proportion_confint(k, n, alpha=a, method="wilson")`, printed with
    /// repr() once in /work/venv-math (`python -c "from statsmodels.stats.proportion import
    /// proportion_confint as p; print(p(3, 20, alpha=0.05, method='wilson'))"` and so on).
    static let statsmodels: [(k: Int, n: Int, level: Double, lower: Double, upper: Double)] = [
        (3, 20, 0.95, 0.052368745896216595, 0.36041886474075696),
        (0, 20, 0.95, 0.0, 0.1611251580528194),
        (20, 20, 0.95, 0.8388748419471804, 0.9999999999999999),
        (1, 1, 0.95, 0.2065493143772374, 1.0),
        (7, 10, 0.95, 0.39677814746114537, 0.8922087325936989),
        (137, 500, 0.95, 0.2367406256658206, 0.3147055762228011),
        (5, 12, 0.90, 0.2199778806917807, 0.6440189850994654),
    ]

    @Test func matchesStatsmodels() {
        for ref in Self.statsmodels {
            let ci = ConfidenceInterval.wilson(successes: ref.k, count: ref.n, level: ref.level)
            #expect(abs(ci.lower - ref.lower) < 1e-12, "\(ref.k)/\(ref.n) lower \(ci.lower)")
            #expect(abs(ci.upper - ref.upper) < 1e-12, "\(ref.k)/\(ref.n) upper \(ci.upper)")
            #expect(ci.level == ref.level)
        }
    }

    @Test func matchesTheClosedForm() {
        // (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.959963984540054.
        let z = 1.959963984540054
        for (k, n) in [(3, 20), (1, 7), (50, 100), (999, 1000), (12, 31)] {
            let p = Double(k) / Double(n), nn = Double(n)
            let centre = (p + z * z / (2 * nn)) / (1 + z * z / nn)
            let half = z * (p * (1 - p) / nn + z * z / (4 * nn * nn)).squareRoot() / (1 + z * z / nn)
            let ci = ConfidenceInterval.wilson(successes: k, count: n)
            #expect(abs(ci.lower - (centre - half)) < 1e-12)
            #expect(abs(ci.upper - (centre + half)) < 1e-12)
        }
    }

    @Test func theIssuesExampleStaysInsideZeroOne() throws {
        // 3 of 20 right: the normal interval is [-0.011, 0.311]; Wilson's is [0.052, 0.360].
        let outcomes = (0 ..< 20).map { $0 < 3 }
        let s = try MeanSummary(outcomes: outcomes)
        #expect(s.intervalKind == .wilson)
        #expect(abs(s.mean - 0.15) < 1e-15)
        #expect(s.interval!.lower > 0.05 && s.interval!.lower < 0.053)
        #expect(abs(s.interval!.upper - 0.36041886474075696) < 1e-12)
        let normal = try MeanSummary(values: outcomes.map { $0 ? 1 : 0 })
        #expect(normal.intervalKind == .normal)
        #expect(normal.interval!.lower < 0)
        // The standard error stays lm-eval's (ddof = 1) either way.
        #expect(s.standardError == normal.standardError)
    }

    @Test func summarizingPicksWilsonForZeroOneValuesOnly() throws {
        #expect(try MeanSummary.summarizing([1, 0, 0, 1, 1]).intervalKind == .wilson)
        #expect(try MeanSummary.summarizing([1, 0, 0.5]).intervalKind == .normal)
        #expect(try MeanSummary.summarizing([2, 3]).intervalKind == .normal)
        // One item: Wilson still has an interval; the normal one has none.
        let one = try MeanSummary.summarizing([1])
        #expect(one.intervalKind == .wilson && one.interval != nil && one.interval!.upper == 1)
        #expect(try MeanSummary.summarizing([0.5]).interval == nil)
    }

    @Test func boundsAreExactAtZeroAndN() {
        #expect(ConfidenceInterval.wilson(successes: 0, count: 5).lower == 0)
        #expect(ConfidenceInterval.wilson(successes: 5, count: 5).upper == 1)
    }
}
