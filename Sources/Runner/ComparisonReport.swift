import Foundation
import Harness
import Metrics
import Reports

/// Renders a comparison: `comparison.json`, a Markdown report and JUnit XML with one test case per
/// gate.
public enum ComparisonReport {
    /// How many flipped items per task and metric `report.md` lists by default (`compare --flips`).
    public static let defaultFlipsListed = 10

    /// Writes `comparison.json`, `report.md` and `junit.xml` into `directory` (each atomically).
    /// `flips` is how many flipped items per task and metric the Markdown lists (all of them are
    /// in `comparison.json`).
    public static func write(_ comparison: ComparisonResults, to directory: URL, flips: Int = defaultFlipsListed) throws {
        try RunDirectory.prepare(directory)
        try RunDirectory.writeAtomically(markdown(comparison, flips: flips).data(using: .utf8)!, to: directory.appendingPathComponent("report.md"))
        try RunDirectory.writeAtomically(junit(comparison), to: directory.appendingPathComponent("junit.xml"))
        try RunDirectory.writeAtomically(RunDirectory.json(comparison), to: directory.appendingPathComponent("comparison.json"))
    }

    /// A few lines for the terminal.
    public static func summary(_ c: ComparisonResults) -> String {
        var lines: [String] = []
        for task in c.tasks {
            for m in task.metrics {
                let change = m.differencePoints.map { ReportNumberFormat.signedPoints($0) } ?? ReportNumberFormat.signed(m.difference, decimals: 4)
                lines.append("\(task.role == .target ? "target" : "non-target") \(task.name) \(m.metric): \(ReportNumberFormat.number(m.base, decimals: 4)) → \(ReportNumberFormat.number(m.candidate, decimals: 4)) (\(change), \(ReportNumberFormat.pValue(m.adjustedPValue)))")
            }
        }
        if let ti = c.deltas.targetImprovement { lines.append("TI \(ReportNumberFormat.percent(ti))") }
        if let bwt = c.deltas.backwardTransfer { lines.append("BWT \(ReportNumberFormat.percent(bwt))") }
        let counts = Dictionary(grouping: c.gates, by: \.outcome).mapValues(\.count)
        lines.append("gates: " + GateOutcome.allCases.compactMap { o in counts[o].map { "\($0) \(o.rawValue)" } }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    static func gate(for task: String, metric: String, in c: ComparisonResults) -> GateResult? {
        c.gates.first { $0.gate.task == task && $0.gate.metric == metric }
    }

    /// The Markdown report: deltas, per-task changes with significance marks, gate outcomes, and
    /// the items that flipped (the first `flips` per task and metric, ≥ 0).
    public static func markdown(_ c: ComparisonResults, flips: Int = defaultFlipsListed) -> String {
        var doc = MarkdownDocument()
        doc.heading("ForgetBench comparison", level: 1)
        doc.paragraph("Base \(c.base.source) (\(c.base.fingerprint.description)) against candidate \(c.candidate.source) (\(c.candidate.fingerprint.description)).")
        var summary: [MarkdownText] = []
        if let ti = c.deltas.targetImprovement {
            summary.append("TI (relative change on the target tasks): " + .bold(MarkdownText(ReportNumberFormat.percent(ti)))
                + MarkdownText(c.deltas.targetImprovementPoints.map { " (\(ReportNumberFormat.signedPoints($0)))" } ?? ""))
        }
        if let bwt = c.deltas.backwardTransfer {
            summary.append("BWT (mean relative change on the non-target tasks): " + .bold(MarkdownText(ReportNumberFormat.percent(bwt)))
                + MarkdownText(c.deltas.backwardTransferPoints.map { " (\(ReportNumberFormat.signedPoints($0)))" } ?? ""))
        }
        let failed = c.gates.filter { $0.outcome == .fail }.count
        summary.append(MarkdownText("Gates: \(c.gates.count) checked, \(failed) failed, \(c.gates.filter { $0.outcome == .inconclusive }.count) inconclusive."))
        doc.bulletList(summary)
        var table = MarkdownTable(columns: [.init("task"), .init("role"), .init("metric"), .init("base", alignment: .right), .init("candidate", alignment: .right),
                                            .init("change", alignment: .right), .init("relative", alignment: .right), .init("95% CI of change", alignment: .right),
                                            .init("p (adj.)", alignment: .right), .init("gate")])
        for task in c.tasks {
            for m in task.metrics {
                let scale = m.differencePoints != nil ? 100.0 : 1.0
                let change = (m.differencePoints.map { ReportNumberFormat.signedPoints($0) } ?? ReportNumberFormat.signed(m.difference, decimals: 4))
                    + SignificanceMark.mark(p: m.adjustedPValue)
                let ci = m.interval95.map { "[\(ReportNumberFormat.signed($0[0] * scale, decimals: 2)), \(ReportNumberFormat.signed($0[1] * scale, decimals: 2))]" } ?? ReportNumberFormat.notAvailable
                let outcome = gate(for: task.name, metric: m.metric, in: c).flatMap { GateBadge(outcome: $0.outcome.rawValue)?.badge } ?? "—"
                table.addRow(plain: [task.name, task.role == .target ? "target" : "non-target",
                                     DirectionArrow.label(m.metric, higherIsBetter: m.polarity.higherIsBetter),
                                     ReportNumberFormat.number(m.base, decimals: 4), ReportNumberFormat.number(m.candidate, decimals: 4),
                                     change, m.relativeChangePercent.map { ReportNumberFormat.percent($0) } ?? ReportNumberFormat.notAvailable,
                                     ci, ReportNumberFormat.pValue(m.adjustedPValue), outcome])
            }
        }
        doc.heading("Per task", level: 2)
        doc.table(table)
        doc.paragraph(SignificanceMark.legend(note: "p-values: exact McNemar for 0/1 metrics, paired bootstrap otherwise; Holm-adjusted across non-target tasks. Changes in points for 0–1 metrics."))
        if !c.gates.isEmpty {
            doc.heading("Gates", level: 2)
            doc.bulletList(c.gates.map { g in
                "\(GateBadge(outcome: g.outcome.rawValue)?.badge ?? g.outcome.rawValue) \(g.gate.task) \(g.gate.metric): \(g.reason)"
            })
        }
        doc.append(contentsOf: flipsSection(c, listed: flips))
        return doc.render()
    }

    /// "Items that flipped": per task and 0/1 metric, the counts each way next to McNemar's `b`
    /// and `c` (the same numbers, from the test), then the first `listed` flips (lost ones first).
    static func flipsSection(_ c: ComparisonResults, listed: Int) -> MarkdownDocument {
        var doc = MarkdownDocument()
        let withFlips = c.tasks.flatMap { task in task.metrics.filter { $0.flips != nil }.map { (task, $0) } }
        guard !withFlips.isEmpty else { return doc }
        doc.heading("Items that flipped", level: 2)
        var counts = MarkdownTable(columns: [.init("task"), .init("metric"), .init("right → wrong", alignment: .right),
                                             .init("wrong → right", alignment: .right), .init("McNemar b", alignment: .right),
                                             .init("McNemar c", alignment: .right), .init("paired items", alignment: .right)])
        for (task, m) in withFlips {
            counts.addRow(plain: [task.name, m.metric, "\(m.flips(.rightToWrong).count)", "\(m.flips(.wrongToRight).count)",
                                  m.baseOnlyCorrect.map { "\($0)" } ?? ReportNumberFormat.notAvailable,
                                  m.candidateOnlyCorrect.map { "\($0)" } ?? ReportNumberFormat.notAvailable, "\(task.pairedItems)"])
        }
        doc.table(counts)
        guard listed > 0 else { return doc }
        for (task, m) in withFlips where !(m.flips ?? []).isEmpty {
            let all = m.flips(.rightToWrong) + m.flips(.wrongToRight)
            let shown = all.prefix(listed)
            var table = MarkdownTable(columns: [.init("item"), .init("flip"), .init("prompt"), .init("base answer"),
                                                .init("candidate answer"), .init("target")])
            for f in shown {
                table.addRow([.code(f.id), MarkdownText(f.direction == .rightToWrong ? "right → wrong" : "wrong → right"),
                              MarkdownText(f.prompt ?? ReportNumberFormat.notAvailable), .code(f.baseAnswer), .code(f.candidateAnswer), .code(f.target)])
            }
            doc.details(summary: "\(task.name) \(m.metric): \(shown.count) of \(all.count) flipped items") { d in d.table(table) }
        }
        doc.paragraph(MarkdownText("All flipped items are in ") + .code("comparison.json") + MarkdownText(" (") + .code("tasks[].metrics[].flips")
            + MarkdownText("); ") + .code("--flips N") + MarkdownText(" sets how many are listed here."))
        return doc
    }

    /// One test suite for the candidate; one test case per gate, classname `target.<task>` or
    /// `nontarget.<task>`.
    public static func junit(_ c: ComparisonResults) throws -> Data {
        var cases: [JUnitTestCase] = []
        for task in c.tasks {
            for m in task.metrics {
                guard let g = gate(for: task.name, metric: m.metric, in: c) else { continue }
                var properties = [
                    JUnitProperty(name: "base", value: "\(m.base)"), JUnitProperty(name: "candidate", value: "\(m.candidate)"),
                    JUnitProperty(name: "change", value: "\(m.difference)"), JUnitProperty(name: "p_value", value: "\(m.adjustedPValue)"),
                    JUnitProperty(name: "n", value: "\(task.pairedItems)"), JUnitProperty(name: "margin", value: "\(g.tolerance)"),
                    JUnitProperty(name: "outcome", value: g.outcome.rawValue),
                ]
                if let ci = m.interval95 { properties.insert(JUnitProperty(name: "ci95", value: "[\(ci[0]), \(ci[1])]"), at: 3) }
                let outcome: JUnitTestCase.Outcome = g.outcome == .fail
                    ? .failure(message: "\(task.name) \(m.metric) regressed: \(g.reason)", type: "gate.fail")
                    : .passed
                cases.append(JUnitTestCase(name: "\(task.name) \(m.metric)", classname: "\(task.role == .target ? "target" : "nontarget").\(task.name)",
                                           time: 0, properties: properties, outcome: outcome))
            }
        }
        var suiteProperties = [JUnitProperty(name: "base.fingerprint", value: c.base.fingerprint.sha256),
                               JUnitProperty(name: "candidate.fingerprint", value: c.candidate.fingerprint.sha256)]
        if let ti = c.deltas.targetImprovement { suiteProperties.append(JUnitProperty(name: "TI_percent", value: "\(ti)")) }
        if let bwt = c.deltas.backwardTransfer { suiteProperties.append(JUnitProperty(name: "BWT_percent", value: "\(bwt)")) }
        let suite = JUnitTestSuite(name: "candidate \(c.candidate.source)", time: 0, properties: suiteProperties, testCases: cases)
        return JUnitXMLWriter().data(for: JUnitReport(name: "forgetbench compare", testSuites: [suite]))
    }
}
