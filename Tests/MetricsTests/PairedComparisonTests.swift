import Testing
@testable import Metrics

@Suite struct PairedComparisonTests {
    @Test func binaryMatchesNumpyAndScipy() throws {
        for ref in try ReferenceFixture.shared().pairedBinary {
            let cmp = try PairedComparison.binary(base: ref.base.map { $0 == 1 }, candidate: ref.candidate.map { $0 == 1 })
            #expect(cmp.method == .pairedNormalMcNemar)
            #expect(cmp.count == ref.base.count)
            #expect(cmp.baseOnlyCorrect == ref.b && cmp.candidateOnlyCorrect == ref.c)
            #expect(isClose(cmp.baseMean, ref.baseMean, abs: 1e-15))
            #expect(isClose(cmp.candidateMean, ref.candidateMean, abs: 1e-15))
            #expect(isClose(cmp.difference, ref.difference, abs: 1e-15), "\(ref.name)")
            #expect(isClose(cmp.standardError!, ref.stderr, abs: 1e-15), "\(ref.name)")
            #expect(isClose(cmp.interval!.lower, ref.lower95, abs: 1e-15), "\(ref.name)")
            #expect(isClose(cmp.interval!.upper, ref.upper95, abs: 1e-15), "\(ref.name)")
            #expect(isClose(cmp.pValue, ref.p, rel: 1e-12), "\(ref.name)")
        }
    }

    @Test func identicalBinaryOutcomes() throws {
        let x = [true, false, true, true]
        let cmp = try PairedComparison.binary(base: x, candidate: x)
        #expect(cmp.difference == 0 && cmp.pValue == 1)
        #expect(cmp.interval == ConfidenceInterval(lower: 0, upper: 0, level: 0.95))
    }

    @Test func continuousMatchesPythonReplay() throws {
        for ref in try ReferenceFixture.shared().bootstrap.paired {
            let cfg = BootstrapConfiguration(resamples: ref.resamples, seed: ref.seed, level: ref.level)
            let cmp = try PairedComparison.continuous(base: ref.base, candidate: ref.candidate, configuration: cfg)
            #expect(cmp.method == .pairedBootstrap && cmp.bootstrap == cfg)
            #expect(isClose(cmp.difference, ref.difference, rel: 1e-12, abs: 1e-15), "\(ref.name)")
            #expect(isClose(cmp.interval!.lower, ref.lower, rel: 1e-12, abs: 1e-15), "\(ref.name)")
            #expect(isClose(cmp.interval!.upper, ref.upper, rel: 1e-12, abs: 1e-15), "\(ref.name)")
            #expect(cmp.pValue == ref.p, "\(ref.name)")
        }
    }

    @Test func badInputThrows() {
        #expect(throws: MetricsError.self) { try PairedComparison.binary(base: [], candidate: []) }
        #expect(throws: MetricsError.lengthMismatch(first: 2, second: 1)) { try PairedComparison.binary(base: [true, false], candidate: [true]) }
        #expect(throws: MetricsError.self) {
            try PairedComparison.continuous(base: [1, 2], candidate: [1], configuration: .init(seed: 1))
        }
    }
}
