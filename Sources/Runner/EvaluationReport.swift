import Foundation
import Harness
import Reports

/// Renders an evaluation run for people (Markdown) and for CI test views (JUnit XML).
public enum EvaluationReport {
    /// A GitHub-flavoured Markdown leaderboard of the run's tasks and metrics.
    public static func markdown(_ results: EvaluationResults) -> String {
        var doc = MarkdownDocument()
        doc.heading("ForgetBench evaluation", level: 1)
        let name = results.model.name.map { " model \($0)" + (results.model.revision.map { " revision \($0)" } ?? "") + "," } ?? ""
        doc.paragraph("Model \(results.model.source) (\(results.model.engine),\(name) \(results.model.fingerprint.description))"
            + (results.settings.limit.map { ", first \($0) items per task" } ?? "") + ", seed \(results.settings.seed).")
        if let notes = results.model.notes, !notes.isEmpty { doc.bulletList(notes) }
        var table = MarkdownTable(columns: [.init("task"), .init("type"), .init("n", alignment: .right), .init("metric"),
                                            .init("value", alignment: .right), .init("95% CI", alignment: .right), .init("stderr", alignment: .right)])
        for task in results.tasks {
            for m in task.metrics {
                table.addRow(plain: [task.name, task.outputType.rawValue, "\(task.itemCount)",
                                     DirectionArrow.label(m.name, higherIsBetter: m.polarity.higherIsBetter),
                                     ReportNumberFormat.number(m.value, decimals: 4),
                                     m.interval95.map { "[\(ReportNumberFormat.number($0[0], decimals: 4)), \(ReportNumberFormat.number($0[1], decimals: 4))]" } ?? ReportNumberFormat.notAvailable,
                                     m.standardError.map { ReportNumberFormat.number($0, decimals: 4) } ?? ReportNumberFormat.notAvailable])
            }
        }
        doc.table(table)
        doc.paragraph("↑ higher is better, ↓ lower is better. Intervals: Wilson for 0/1 metrics (accuracy, exact match), normal for other means, percentile bootstrap for perplexity and bits per byte.")
        doc.details(summary: "Tasks and hashes") { d in
            d.bulletList(results.tasks.map { "\($0.name) v\($0.version): sha256 \($0.contentHash.prefix(16))…" })
        }
        return doc.render()
    }

    /// One test suite for the run; one test case per task and metric, carrying its value. A task
    /// that produced no items is reported as skipped.
    public static func junit(_ results: EvaluationResults) throws -> Data {
        let cases = results.tasks.flatMap { task in
            task.metrics.map { m -> JUnitTestCase in
                var properties = [JUnitProperty(name: "value", value: "\(m.value)"), JUnitProperty(name: "n", value: "\(task.itemCount)")]
                if let se = m.standardError { properties.append(JUnitProperty(name: "stderr", value: "\(se)")) }
                if let ci = m.interval95 { properties.append(JUnitProperty(name: "ci95", value: "[\(ci[0]), \(ci[1])]")) }
                return JUnitTestCase(name: "\(task.name).\(m.name)", classname: "eval.\(task.name)", time: results.timings.taskSeconds[task.name],
                                     properties: properties, outcome: task.itemCount == 0 ? .skipped(message: "no items were scored") : .passed)
            }
        }
        let suite = JUnitTestSuite(name: "eval \(results.model.source)", time: results.timings.totalSeconds,
                                   properties: [JUnitProperty(name: "model.fingerprint", value: results.model.fingerprint.sha256)],
                                   testCases: cases)
        return JUnitXMLWriter().data(for: JUnitReport(name: "forgetbench eval", testSuites: [suite]))
    }
}
