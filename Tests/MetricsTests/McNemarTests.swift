import Testing
@testable import Metrics

@Suite struct McNemarTests {
    @Test func exactPValueMatchesScipyBinomtest() throws {
        let cases = try ReferenceFixture.shared().mcnemar
        #expect(cases.count > 150)
        for ref in cases {
            let t = try McNemarTest(b: ref.b, c: ref.c)
            // 1e-12 relative; p-values below 1e-300 (subnormal, or 0 after underflow) only absolutely.
            #expect(isClose(t.pValue, ref.p, rel: 1e-12, abs: 1e-300), "(b, c) = (\(ref.b), \(ref.c)): \(t.pValue) vs scipy \(ref.p)")
        }
    }

    @Test func namedCases() throws {
        #expect(try McNemarTest(b: 0, c: 0).pValue == 1)
        #expect(try McNemarTest(b: 0, c: 5).pValue == 0.0625)   // 2 / 32, exactly
        #expect(try McNemarTest(b: 5, c: 0).pValue == 0.0625)
        #expect(try McNemarTest(b: 7, c: 7).pValue == 1)
        #expect(try McNemarTest(b: 7, c: 8).pValue == 1)
        #expect(try McNemarTest(b: 0, c: 40).pValue == 2 * 0x1.0p-40)
    }

    @Test func symmetricInBAndC() {
        for b in 0..<40 {
            for c in stride(from: 0, to: 200, by: 7) {
                #expect(McNemarTest.exactPValue(b: b, c: c) == McNemarTest.exactPValue(b: c, c: b))
            }
        }
    }

    @Test func pmfSumsToOneAndCdfIsMonotone() {
        for n in [1, 2, 7, 16, 35, 36, 81, 501, 2000] {
            var total = 0.0
            var last = 0.0
            for k in 0...n {
                total += FairCoinBinomial.pmf(k, n)
                let c = FairCoinBinomial.cdf(k, n)
                #expect(c >= last - 1e-15)
                last = c
            }
            #expect(isClose(total, 1, rel: 1e-13), "n = \(n): \(total)")
        }
    }

    @Test func fromPairedOutcomes() throws {
        let base = [true, true, false, false, true, false]
        let cand = [false, true, true, true, true, false]
        let t = try McNemarTest(base: base, candidate: cand)
        #expect(t.baseOnlyCorrect == 1 && t.candidateOnlyCorrect == 2 && t.discordant == 3)
        #expect(t.pValue == 1)
        #expect(throws: MetricsError.lengthMismatch(first: 1, second: 2)) { try McNemarTest(base: [true], candidate: [true, false]) }
        #expect(throws: MetricsError.self) { try McNemarTest(b: -1, c: 3) }
    }
}
