import Foundation
@testable import Metrics
import XCTest

/// pass@k against the closed form `1 - C(n-c, k) / C(n, k)`, computed here with exact integer
/// binomial coefficients (10 samples per item, as in the constructed cases).
final class PassAtKTests: XCTestCase {
    /// C(n, k) exactly (small n).
    func binomial(_ n: Int, _ k: Int) -> Int {
        guard k >= 0, k <= n else { return 0 }
        var result = 1
        for i in 0 ..< k { result = result * (n - i) / (i + 1) }
        return result
    }

    func closedForm(n: Int, c: Int, k: Int) -> Double {
        1 - Double(binomial(n - c, k)) / Double(binomial(n, k))
    }

    func testEqualsTheClosedFormForTenSamples() {
        for k in [1, 5] {
            for c in 0 ... 10 {
                XCTAssertEqual(PassAtK.estimate(samples: 10, correct: c, k: k), closedForm(n: 10, c: c, k: k), accuracy: 1e-12, "c \(c), k \(k)")
            }
        }
        // Hand-checked values: pass@1 is the fraction correct; pass@5 with 3 of 10 correct is
        // 1 - C(7,5)/C(10,5) = 1 - 21/252 = 11/12.
        XCTAssertEqual(PassAtK.estimate(samples: 10, correct: 3, k: 1), 0.3, accuracy: 1e-15)
        XCTAssertEqual(PassAtK.estimate(samples: 10, correct: 3, k: 5), 11.0 / 12.0, accuracy: 1e-15)
        XCTAssertEqual(PassAtK.estimate(samples: 10, correct: 6, k: 5), 1)
        XCTAssertEqual(PassAtK.estimate(samples: 10, correct: 0, k: 5), 0)
    }

    /// The product form stays finite where the binomial coefficients overflow a Double.
    func testLargeSampleCountsStayExact() {
        let n = 2000, c = 1000, k = 100
        let value = PassAtK.estimate(samples: n, correct: c, k: k)
        // log C(n-c,k) - log C(n,k) through lgamma.
        func logBinomial(_ n: Int, _ k: Int) -> Double { lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1)) }
        XCTAssertEqual(value, 1 - exp(logBinomial(n - c, k) - logBinomial(n, k)), accuracy: 1e-12)
        XCTAssertEqual(PassAtK.estimate(samples: 1, correct: 1, k: 1), 1)
        XCTAssertEqual(PassAtK.estimate(samples: 1, correct: 0, k: 1), 0)
    }

    /// A task's pass@k is the mean of its items' estimates.
    func testTaskLevelMeanOfConstructedItems() {
        let correct = [0, 1, 3, 10, 7]
        let pass5 = correct.map { PassAtK.estimate(samples: 10, correct: $0, k: 5) }.reduce(0, +) / 5
        let expected = correct.map { closedForm(n: 10, c: $0, k: 5) }.reduce(0, +) / 5
        XCTAssertEqual(pass5, expected, accuracy: 1e-12)
    }
}
