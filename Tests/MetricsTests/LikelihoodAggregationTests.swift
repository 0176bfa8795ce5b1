import Testing
@testable import Metrics

@Suite struct LikelihoodAggregationTests {
    @Test func matchesLmEvalDefinitions() throws {
        let ref = try ReferenceFixture.shared().likelihood
        let ll = ref.loglikelihoods
        #expect(isClose(try LikelihoodAggregation.perplexity(logLikelihoods: ll), ref.perplexity))
        #expect(isClose(try LikelihoodAggregation.weightedPerplexity(logLikelihoods: ll, units: ref.tokens), ref.tokenPerplexity))
        #expect(isClose(try LikelihoodAggregation.weightedPerplexity(logLikelihoods: ll, units: ref.words), ref.wordPerplexity))
        #expect(isClose(try LikelihoodAggregation.weightedPerplexity(logLikelihoods: ll, units: ref.bytes), ref.bytePerplexity))
        #expect(isClose(try LikelihoodAggregation.bitsPerByte(logLikelihoods: ll, byteCounts: ref.bytes), ref.bitsPerByte))
    }

    @Test func closedForm() throws {
        // One byte at probability 1/2 is one bit; perplexity 2.
        let ll = [-ln2, -3 * ln2]  // ln(1/2), ln(1/8)
        #expect(isClose(try LikelihoodAggregation.bitsPerByte(logLikelihoods: ll, byteCounts: [1, 3]), 1))
        #expect(isClose(try LikelihoodAggregation.weightedPerplexity(logLikelihoods: ll, units: [1, 3]), 2))
    }

    @Test func badInputThrows() {
        #expect(throws: MetricsError.lengthMismatch(first: 2, second: 1)) {
            try LikelihoodAggregation.weightedPerplexity(logLikelihoods: [-1, -2], units: [3])
        }
        #expect(throws: MetricsError.self) { try LikelihoodAggregation.bitsPerByte(logLikelihoods: [-1], byteCounts: [0]) }
        #expect(throws: MetricsError.self) { try LikelihoodAggregation.bitsPerByte(logLikelihoods: [-1, -1], byteCounts: [2, -1]) }
        #expect(throws: MetricsError.self) { try LikelihoodAggregation.perplexity(logLikelihoods: []) }
        #expect(throws: MetricsError.nonFiniteValue(index: 0)) { try LikelihoodAggregation.perplexity(logLikelihoods: [-.infinity]) }
    }

    private let ln2 = 0.6931471805599453  // ln 2
}
