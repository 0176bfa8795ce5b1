import Testing
@testable import Metrics

@Suite struct StandardNormalTests {
    @Test func quantileMatchesScipy() throws {
        for ref in try ReferenceFixture.shared().normal.quantile {
            let z = StandardNormal.quantile(ref.p)
            #expect(isClose(z, ref.z, rel: 1e-13, abs: 1e-15), "p = \(ref.p): \(z) vs \(ref.z)")
        }
    }

    @Test func cdfMatchesScipy() throws {
        for ref in try ReferenceFixture.shared().normal.cdf {
            #expect(isClose(StandardNormal.cdf(ref.x), ref.p, rel: 1e-12, abs: 1e-300), "x = \(ref.x)")
        }
    }

    @Test func edges() {
        #expect(StandardNormal.quantile(0) == -.infinity)
        #expect(StandardNormal.quantile(1) == .infinity)
        #expect(StandardNormal.quantile(0.5) == 0)
        #expect(StandardNormal.quantile(-0.1).isNaN)
        #expect(isClose(StandardNormal.quantile(0.975), 1.959963984540054, rel: 1e-15))
    }
}
