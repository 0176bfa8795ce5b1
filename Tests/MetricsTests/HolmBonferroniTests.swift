import Testing
@testable import Metrics

@Suite struct HolmBonferroniTests {
    @Test func matchesStatsmodels() throws {
        for ref in try ReferenceFixture.shared().holm {
            let adj = HolmBonferroni.adjust(ref.p)
            #expect(adj.count == ref.adjusted.count)
            for (a, b) in zip(adj, ref.adjusted) { #expect(isClose(a, b, rel: 1e-15), "\(ref.p)") }
        }
    }

    @Test func handWorkedExample() {
        // sorted: 0.005 (x4 = 0.02), 0.01 (x3 = 0.03), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04 -> 0.06 by monotonicity)
        let adj = HolmBonferroni.adjust([0.01, 0.04, 0.03, 0.005])
        #expect(isClose(adj[0], 0.03) && isClose(adj[1], 0.06) && isClose(adj[2], 0.06) && isClose(adj[3], 0.02))
    }

    @Test func monotoneCappedAndOrderPreserving() {
        let p = [0.9, 0.001, 0.5, 0.02, 0.02, 0.3, 0.75]
        let adj = HolmBonferroni.adjust(p)
        for i in p.indices {
            #expect(adj[i] >= p[i] && adj[i] <= 1)
            for j in p.indices where p[i] <= p[j] { #expect(adj[i] <= adj[j]) }
        }
        #expect(HolmBonferroni.adjust([]) == [])
        #expect(HolmBonferroni.adjust([0.3]) == [0.3])
    }

    @Test func nanStaysNanAndCounts() {
        let adj = HolmBonferroni.adjust([0.01, .nan])
        #expect(adj[0] == 0.02)
        #expect(adj[1].isNaN)
    }
}
