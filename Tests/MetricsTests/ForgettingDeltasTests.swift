import Harness
import Testing
@testable import Metrics

@Suite struct ForgettingDeltasTests {
    @Test func paperGemma2MBPPRows() throws {
        let ref = try ReferenceFixture.shared().forgetting
        let d = ForgettingDeltas(
            target: TaskScore(task: ref.target.task, before: ref.target.before, after: ref.target.after),
            nonTarget: ref.nonTarget.map { TaskScore(task: $0.task, before: $0.before, after: $0.after) }
        )
        let ti = try #require(d.targetImprovement)
        let bwt = try #require(d.backwardTransfer)
        #expect(isClose(ti, ref.ti, rel: 1e-12))
        #expect(isClose(bwt, ref.bwt, rel: 1e-12))
        #expect(isClose(d.targetImprovementPoints!, ref.tiPoints, rel: 1e-12))
        #expect(isClose(d.backwardTransferPoints!, ref.bwtPoints, rel: 1e-12))
        // The numbers printed in the paper, to two decimals.
        #expect((ti * 100).rounded() / 100 == -21.76)
        #expect((bwt * 100).rounded() / 100 == -38.19)
    }

    @Test func zeroBeforeIsUndefined() {
        let d = ForgettingDeltas(
            target: TaskScore(task: "t", before: 0, after: 0.2),
            nonTarget: [TaskScore(task: "a", before: 0.5, after: 0.4), TaskScore(task: "b", before: 0, after: 0.1)]
        )
        #expect(d.targetImprovement == nil && d.backwardTransfer == nil)
        #expect(isClose(d.targetImprovementPoints!, 20))
        #expect(isClose(d.backwardTransferPoints!, 0, abs: 1e-12))  // (-10 + 10) / 2
        #expect(TaskScore(task: "b", before: 0, after: 0.1).relativeChangePercent == nil)
    }

    @Test func emptyListsAndSeveralTargets() {
        let none = ForgettingDeltas(target: [], nonTarget: [])
        #expect(none.targetImprovement == nil && none.backwardTransferPoints == nil)
        let two = ForgettingDeltas(target: [TaskScore(task: "a", before: 0.5, after: 0.6), TaskScore(task: "b", before: 0.2, after: 0.1)], nonTarget: [])
        #expect(isClose(two.targetImprovement!, (20 - 50) / 2))
    }

    @Test func lowerIsBetterFlipsSign() {
        let s = TaskScore(task: "wikitext", before: 10, after: 12, direction: .lowerIsBetter)
        #expect(isClose(s.relativeChangePercent!, -20))
        #expect(isClose(s.absoluteChangePoints, -200))
    }
}
