import Foundation
import Harness
import XCTest

/// The one direction type reads both spellings results files have used, and writes each where it
/// has always been written: `higherIsBetter` on its own, `higher` under a results file's `polarity`.
final class MetricDirectionCodingTests: XCTestCase {
    struct Row: Codable, Equatable {
        @PolarityCoded var polarity: MetricDirection
        var direction: MetricDirection
    }

    func testBothSpellingsDecodeAndEachIsWrittenWhereItWas() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let row = Row(polarity: .lowerIsBetter, direction: .lowerIsBetter)
        XCTAssertEqual(String(decoding: try encoder.encode(row), as: UTF8.self), #"{"direction":"lowerIsBetter","polarity":"lower"}"#)
        for text in [#"{"direction":"lower","polarity":"lowerIsBetter"}"#, #"{"direction":"lowerIsBetter","polarity":"lower"}"#] {
            XCTAssertEqual(try JSONDecoder().decode(Row.self, from: Data(text.utf8)), row)
        }
        XCTAssertEqual(try JSONDecoder().decode([MetricDirection].self, from: Data(#"["higher","higherIsBetter"]"#.utf8)), [.higherIsBetter, .higherIsBetter])
        XCTAssertThrowsError(try JSONDecoder().decode([MetricDirection].self, from: Data(#"["up"]"#.utf8))) { error in
            XCTAssertTrue("\(error)".contains("'up' is not a metric direction"), "\(error)")
        }
    }

    func testSignAndComparisons() {
        XCTAssertEqual(MetricDirection(higherIsBetter: false), .lowerIsBetter)
        XCTAssertEqual(MetricDirection.lowerIsBetter.goodDirectionChange(0.25), -0.25)
        XCTAssertTrue(MetricDirection.lowerIsBetter.isBetter(1, than: 2))
        XCTAssertFalse(MetricDirection.higherIsBetter.isBetter(1, than: 1))
        XCTAssertEqual(MetricDirection.higherIsBetter.polarityLabel, "higher")
    }
}
