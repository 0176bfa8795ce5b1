import Testing
@testable import Metrics

@Suite struct SummaryTests {
    @Test func meanStandardErrorAndIntervalMatchNumpy() throws {
        for ref in try ReferenceFixture.shared().summaries {
            let s = try MeanSummary(values: ref.values)
            #expect(s.count == ref.values.count)
            #expect(isClose(s.mean, ref.mean, abs: 1e-15), "\(ref.name) mean")
            #expect(isClose(s.standardDeviation!, ref.sd, abs: 1e-15), "\(ref.name) sd")
            #expect(isClose(s.standardError!, ref.stderr, abs: 1e-15), "\(ref.name) stderr")
            #expect(isClose(s.interval!.lower, ref.lower95, abs: 1e-15), "\(ref.name) lower")
            #expect(isClose(s.interval!.upper, ref.upper95, abs: 1e-15), "\(ref.name) upper")
            #expect(s.interval!.level == 0.95)
            let s90 = try MeanSummary(values: ref.values, level: 0.90)
            #expect(isClose(s90.interval!.lower, ref.lower90, abs: 1e-15), "\(ref.name) lower90")
            #expect(isClose(s90.interval!.upper, ref.upper90, abs: 1e-15), "\(ref.name) upper90")
        }
    }

    @Test func binaryOutcomesMatchValues() throws {
        let outcomes = [true, false, true, true, false]
        let a = try MeanSummary(outcomes: outcomes)
        let b = try MeanSummary(values: [1, 0, 1, 1, 0])
        // Same mean and standard error; the outcomes' interval is Wilson's, the values' normal.
        #expect(a.mean == b.mean && a.standardError == b.standardError && a.standardDeviation == b.standardDeviation)
        #expect(a.intervalKind == .wilson && b.intervalKind == .normal)
        #expect(a.interval == ConfidenceInterval.wilson(successes: 3, count: 5))
        #expect(a.mean == 0.6)
        // ddof = 1: sqrt(p(1-p) n/(n-1)) / sqrt(n) = sqrt(0.24 * 5/4 / 5)
        #expect(isClose(a.standardError!, (0.24 * 5.0 / 4.0 / 5.0).squareRoot()))
    }

    @Test func singleItemHasNoStandardError() throws {
        let s = try MeanSummary(values: [0.7])
        #expect(s.mean == 0.7)
        #expect(s.standardError == nil && s.standardDeviation == nil && s.interval == nil)
        #expect(SampleStatistics.standardErrorOfMean([0.7]) == nil)
    }

    @Test func badInputThrows() {
        #expect(throws: MetricsError.notEnoughItems(count: 0, minimum: 1)) { try MeanSummary(values: []) }
        #expect(throws: MetricsError.nonFiniteValue(index: 1)) { try MeanSummary(values: [1, .nan]) }
        #expect(throws: MetricsError.self) { try MeanSummary(values: [1, 2], level: 1.5) }
        #expect(SampleStatistics.mean([]) == nil)
    }

    @Test func summaryIsCodable() throws {
        let s = try MeanSummary(values: [0.1, 0.4, 0.9])
        let data = try JSONEncoder().encode(s)
        #expect(try JSONDecoder().decode(MeanSummary.self, from: data) == s)
    }
}

import Foundation
