import Harness
import Testing
@testable import Metrics

@Suite struct MetricDirectionTests {
    @Test func signsAndComparisons() {
        #expect(MetricDirection.higherIsBetter.goodDirectionChange(0.1) == 0.1)
        #expect(MetricDirection.lowerIsBetter.goodDirectionChange(0.1) == -0.1)
        #expect(MetricDirection.higherIsBetter.isBetter(2, than: 1))
        #expect(MetricDirection.lowerIsBetter.isBetter(1, than: 2))
        let i = ConfidenceInterval(lower: -1, upper: 3, level: 0.9)
        #expect(MetricDirection.lowerIsBetter.goodDirectionInterval(i) == ConfidenceInterval(lower: -3, upper: 1, level: 0.9))
        #expect(MetricDirection(rawValue: "lowerIsBetter") == .lowerIsBetter)
        #expect(MetricDirection(higherIsBetter: false) == .lowerIsBetter)
        #expect(MetricDirection(higherIsBetter: true) == .higherIsBetter)
    }
}
