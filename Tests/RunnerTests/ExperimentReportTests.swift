import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Harness
import Metrics
import Reports
@testable import Runner
import XCTest

final class ExperimentReportTests: XCTestCase {
    func testSpreadIsTheMeanAndSampleStandardDeviation() {
        let s = Spread([1, 2, 6])
        XCTAssertEqual(s.mean, 3, accuracy: 1e-12)
        XCTAssertEqual(s.standardDeviation, (7.0).squareRoot(), accuracy: 1e-12) // ((4 + 1 + 9) / 2)^0.5
        XCTAssertEqual(Spread([5]).standardDeviation, 0)
        XCTAssertNil(Spread([1.0, nil]))
    }

    /// Two regimes over two seeds from real comparisons of table-model runs.
    func results(regimeName: String = "stm:2.5", taskName: String = "fixed_mc") async throws -> ExperimentResults {
        let task = FixedChoiceTask(name: taskName, items: [])
        let base = try await RunnerFixtures.run(n: 60, correct: { $0 % 4 != 0 }, task: task)
        let comparator = Comparator(targetTasks: [], gates: GateConfiguration(defaultRule: .init(task: nil, metric: nil, margin: .points(2), alpha: 0.05)))
        func candidate(seed: UInt64, correct: @escaping (Int) -> Bool) async throws -> CandidateResult {
            let run = try await RunnerFixtures.run(n: 60, correct: correct, task: task)
            let training = FineTuningSummary(examples: 10, truncatedExamples: 0, steps: 4, finalLoss: 0.5, trainedTokens: 100, method: "lora", seconds: 1, resumed: false)
            return CandidateResult(seed: seed, maskedTokens: 25, responseTokens: 100, trainingExamples: 10, training: training,
                                   comparison: try comparator.compare(base: base, candidate: run))
        }
        let forgetting = ExperimentRunner.summarize(regime: "ground-truth", kind: "masking", candidates: [
            try await candidate(seed: 1) { $0 % 2 == 0 }, try await candidate(seed: 2) { $0 % 3 == 0 },
        ])
        let keeping = ExperimentRunner.summarize(regime: regimeName, kind: "masking", candidates: [
            try await candidate(seed: 1) { $0 % 4 != 0 }, try await candidate(seed: 2) { $0 % 5 != 0 },
        ])
        let record = base.results.model
        return ExperimentResults(
            name: "unit | test", description: "pipes | and <tags>", specSHA256: String(repeating: "0", count: 64), base: record, scorer: record,
            targetTasks: [], nonTargetTasks: [taskName], seeds: [1, 2], tau: 2.5, evaluationLimit: nil,
            baseScores: [BaseScore(task: taskName, metric: "acc", value: 0.75, standardError: 0.05, items: 60)],
            trainingData: TrainingDataSummary(source: "file", sha256: "x", examples: 10, responseTokens: 100, medianPerplexity: 1.5, p90Perplexity: 9,
                                              fractionAboveTau: 0.25),
            dataRegimes: [], regimes: [forgetting, keeping], gated: true, timings: ExperimentTimings())
    }

    func testSummaryAcrossSeedsMatchesTheComparisons() async throws {
        let r = try await results()
        let gt = r.regimes[0]
        let changes = gt.candidates.map { $0.comparison.tasks[0].metrics[0].difference * 100 }
        XCTAssertEqual(gt.tasks[0].changePoints.mean, (changes[0] + changes[1]) / 2, accuracy: 1e-9)
        XCTAssertEqual(gt.tasks[0].maxPValue, gt.candidates.map { $0.comparison.tasks[0].metrics[0].adjustedPValue }.max()!)
        XCTAssertEqual(gt.maskedFraction, 0.25)
        XCTAssertEqual(gt.gatesFailed, 2, "0.75 -> 0.5 and 0.75 -> 0.33 both regress past a 2-point margin")
        XCTAssertEqual(r.exitCode(strict: false), 2)
        XCTAssertEqual(r.withoutTimings().regimes[0].meanTrainingSeconds, 0)
    }

    func testMarkdownEscapesPipesAndReferencesChartsRelatively() async throws {
        let r = try await results(regimeName: "odd|regime", taskName: "task|with|pipes")
        let md = ExperimentReport.markdown(r)
        XCTAssertTrue(md.contains("odd\\|regime"), md)
        XCTAssertTrue(md.contains("task\\|with\\|pipes"), md)
        XCTAssertTrue(md.contains("](tradeoff.svg)"), md)
        XCTAssertTrue(md.contains("](perplexity.svg)"), md)
        // Every table row has the header's number of cells (no unescaped pipe split a cell).
        for block in md.components(separatedBy: "\n\n") where block.hasPrefix("|") {
            let rows = block.split(separator: "\n").map { row in row.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count }
            XCTAssertEqual(Set(rows).count, 1, block)
        }
    }

    func testJUnitHasOneSuitePerRegimeAndValidates() async throws {
        let r = try await results()
        let data = ExperimentReport.junit(r)
        let doc = try XMLDocument(data: data)
        let suites = try doc.nodes(forXPath: "//testsuite")
        XCTAssertEqual(suites.count, 2)
        XCTAssertEqual(try doc.nodes(forXPath: "//testsuite[1]/testcase/failure").count, 2)
        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/schemas/junit-10.xsd")
        guard FileManager.default.fileExists(atPath: schema.path), FileManager.default.fileExists(atPath: "/usr/bin/xmllint") else {
            throw XCTSkip("xmllint or ../shared/schemas/junit-10.xsd missing")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("exp-junit-\(UUID().uuidString).xml")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        p.arguments = ["--noout", "--schema", schema.path, file.path]
        p.standardError = Pipe()
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
    }

    func testChartsAreWellFormedWithAxesLabelsAndLegend() async throws {
        var r = try await results()
        // No target task in the fixture: give each regime a target change to plot.
        r.regimes[0].targetImprovementPoints = Spread([5, 7])
        r.regimes[1].targetImprovementPoints = Spread([1, 2])
        let scatter = SVGChart.scatter(ExperimentReport.tradeoffChart(r)).svgString()
        let histogram = SVGChart.histogram(ExperimentReport.perplexityChart(r, groundTruth: [1.1, 1.5, 3, 40, 2.2], selfOutput: [1.01, 1.2, 1.3])).svgString()
        for svg in [scatter, histogram] {
            let doc = try XMLDocument(xmlString: svg)
            XCTAssertEqual(doc.rootElement()?.name, "svg")
            XCTAssertTrue(svg.contains("legend"), svg)
        }
        XCTAssertTrue(scatter.contains("mean non-target change (points)") && scatter.contains("target change (points)"))
        XCTAssertTrue(scatter.contains("ground-truth") && scatter.contains("stm:2.5"))
        XCTAssertTrue(histogram.contains("TAU = 2.50") && histogram.contains("self-output (3 tokens)"))
    }
}
