import Foundation
import Harness
import Testing
@testable import Metrics

@Suite struct GateTests {
    func ci(_ l: Double, _ u: Double) -> ConfidenceInterval { ConfidenceInterval(lower: l, upper: u, level: 0.95) }

    func gate(_ margin: Gate.Margin, alpha: Double = 0.05, _ direction: MetricDirection = .higherIsBetter) throws -> Gate {
        try Gate(task: "gsm8k", metric: "exact_match", margin: margin, alpha: alpha, direction: direction)
    }

    @Test func passWhenLowerBoundClearsMargin() throws {
        let g = try gate(.points(2))
        let r = g.evaluate(difference: -0.005, interval: ci(-0.015, 0.005), pValue: 0.4, baseMean: 0.6)
        #expect(r.outcome == .pass && r.outcome.isSatisfied)
        #expect(r.tolerance == 0.02)
        // Exactly at the margin counts as clearing it.
        #expect(g.evaluate(difference: 0, interval: ci(-0.02, 0.02), pValue: 1, baseMean: 0.6).outcome == .pass)
    }

    @Test func inconclusiveWhenIntervalCrossesMargin() throws {
        let g = try gate(.points(1))
        let r = g.evaluate(difference: -0.005, interval: ci(-0.03, 0.02), pValue: 0.6, baseMean: 0.5)
        #expect(r.outcome == .inconclusive && !r.outcome.isSatisfied)
        // Worse than the margin but not significant: still inconclusive, not fail.
        #expect(g.evaluate(difference: -0.04, interval: ci(-0.09, 0.01), pValue: 0.12, baseMean: 0.5).outcome == .inconclusive)
        // Significant drop that may still be within the margin: inconclusive.
        #expect(g.evaluate(difference: -0.008, interval: ci(-0.015, -0.001), pValue: 0.01, baseMean: 0.5).outcome == .inconclusive)
    }

    @Test func failWhenSignificantlyWorseThanMargin() throws {
        let g = try gate(.points(1))
        let r = g.evaluate(difference: -0.05, interval: ci(-0.08, -0.02), pValue: 0.001, baseMean: 0.7)
        #expect(r.outcome == .fail)
        // alpha boundary: p == alpha is not significant.
        #expect(g.evaluate(difference: -0.05, interval: ci(-0.1, 0.0), pValue: 0.05, baseMean: 0.7).outcome == .inconclusive)
    }

    @Test func improvedTakesPrecedenceOverPass() throws {
        let g = try gate(.points(1))
        let r = g.evaluate(difference: 0.04, interval: ci(0.01, 0.07), pValue: 0.004, baseMean: 0.5)
        #expect(r.outcome == .improved && r.outcome.isSatisfied)
        // A non-significant gain with the bound inside the margin is a pass.
        #expect(g.evaluate(difference: 0.01, interval: ci(-0.005, 0.025), pValue: 0.2, baseMean: 0.5).outcome == .pass)
    }

    @Test func failTakesPrecedenceOverPassForIntervalsExcludingTheEstimate() throws {
        // A (pathological) interval above the estimate: never pass a significant drop beyond the margin.
        let g = try gate(.points(1))
        #expect(g.evaluate(difference: -0.05, interval: ci(0.0, 0.01), pValue: 0.01, baseMean: 0.5).outcome == .fail)
    }

    @Test func lowerIsBetterFlipsTheChange() throws {
        let g = try gate(.absolute(0.5), .lowerIsBetter)
        // Perplexity rose from 10 to 12 (difference +2): worse by 2 > 0.5, significant.
        let r = g.evaluate(difference: 2, interval: ci(1.2, 2.8), pValue: 0.001, baseMean: 10)
        #expect(r.outcome == .fail && r.change == -2)
        #expect(r.changeInterval == ci(-2.8, -1.2))
        // Perplexity fell significantly: improved.
        #expect(g.evaluate(difference: -1, interval: ci(-1.5, -0.5), pValue: 0.001, baseMean: 10).outcome == .improved)
        // Small rise within tolerance: pass.
        #expect(g.evaluate(difference: 0.1, interval: ci(-0.2, 0.4), pValue: 0.5, baseMean: 10).outcome == .pass)
    }

    @Test func relativeMargin() throws {
        let g = try gate(.relative(5))
        let r = g.evaluate(difference: -0.01, interval: ci(-0.02, 0.0), pValue: 0.2, baseMean: 0.5)
        #expect(isClose(r.tolerance, 0.025))
        #expect(r.outcome == .pass)
        #expect(g.evaluate(difference: 0, interval: ci(-0.01, 0.01), pValue: 1, baseMean: 0).tolerance == 0)
    }

    @Test func zeroMarginIdenticalModelsPass() throws {
        let g = try gate(.points(0))
        let x = [true, false, true]
        let cmp = try PairedComparison.binary(base: x, candidate: x)
        #expect(g.evaluate(cmp).outcome == .pass)
    }

    @Test func missingIntervalOrNaN() throws {
        let g = try gate(.points(1))
        #expect(g.evaluate(difference: -0.5, interval: nil, pValue: 1, baseMean: 0.5).outcome == .inconclusive)
        #expect(g.evaluate(difference: .nan, interval: ci(0, 0), pValue: 0.5, baseMean: 0.5).outcome == .inconclusive)
        #expect(g.evaluate(difference: 0, interval: ci(0, 0), pValue: .nan, baseMean: 0.5).outcome == .inconclusive)
        // One item: no interval, but a decisive p-value still decides improved / fail.
        let one = try PairedComparison.binary(base: [true], candidate: [false])
        #expect(one.interval == nil)
        #expect(g.evaluate(one).outcome == .inconclusive)
    }

    @Test func endToEndWithMcNemar() throws {
        // 200 items; candidate loses 30 and wins 5: difference -0.125, McNemar p tiny.
        var base = [Bool](repeating: true, count: 200), cand = base
        for i in 0..<30 { cand[i] = false }
        for i in 30..<35 { base[i] = false }
        let cmp = try PairedComparison.binary(base: base, candidate: cand)
        #expect(isClose(cmp.difference, -0.125))
        #expect(try gate(.points(2)).evaluate(cmp).outcome == .fail)
        #expect(try gate(.points(30)).evaluate(cmp).outcome == .pass)
    }

    @Test func invalidGatesThrow() {
        #expect(throws: MetricsError.self) { try gate(.points(-1)) }
        #expect(throws: MetricsError.self) { try gate(.relative(.infinity)) }
        #expect(throws: MetricsError.self) { try gate(.points(1), alpha: 0) }
        #expect(throws: MetricsError.self) { try gate(.points(1), alpha: 1) }
    }

    @Test func codableRoundTripAndValidation() throws {
        let g = try gate(.relative(5), alpha: 0.01, .lowerIsBetter)
        let data = try JSONEncoder().encode(g)
        #expect(try JSONDecoder().decode(Gate.self, from: data) == g)
        let json = #"{"task":"arc","metric":"acc","margin":{"kind":"points","value":1.5}}"#
        let d = try JSONDecoder().decode(Gate.self, from: Data(json.utf8))
        #expect(d.margin == .points(1.5) && d.alpha == 0.05 && d.direction == .higherIsBetter)
        let bad = #"{"task":"arc","metric":"acc","margin":{"kind":"percent","value":1}}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Gate.self, from: Data(bad.utf8)) }
        let negative = #"{"task":"arc","metric":"acc","margin":{"kind":"points","value":-1}}"#
        #expect(throws: MetricsError.self) { try JSONDecoder().decode(Gate.self, from: Data(negative.utf8)) }
        let result = g.evaluate(difference: 0.1, interval: ci(-0.1, 0.3), pValue: 0.4, baseMean: 3)
        #expect(try JSONDecoder().decode(GateResult.self, from: try JSONEncoder().encode(result)) == result)
    }
}
