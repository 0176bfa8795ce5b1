import Foundation
import Harness
import Metrics
import Reports

/// The reports of `forgetbench run`: `results.json`, `report.md` (leaderboard, charts, base
/// scores, data regimes, per-seed details, gates), `junit.xml` (one test suite per regime) and two
/// SVG charts (`tradeoff.svg`, `perplexity.svg`). `results.json` is written last.
public enum ExperimentReport {
    /// Writes every report file of `results` into the run directory.
    public static func write(_ results: ExperimentResults, layout: ExperimentLayout, groundTruthPerplexities: [Double],
                             selfOutputPerplexities: [Double]?) throws {
        try SVGChart.scatter(tradeoffChart(results)).write(to: layout.tradeoffChart)
        try SVGChart.scatter(maskingChart(results)).write(to: layout.maskingChart)
        try SVGChart.histogram(perplexityChart(results, groundTruth: groundTruthPerplexities, selfOutput: selfOutputPerplexities))
            .write(to: layout.perplexityChart)
        try AtomicFile.write(Data(markdown(results).utf8), to: layout.report)
        try AtomicFile.write(junit(results), to: layout.junit)
        try AtomicFile.write(try RunDirectory.json(results), to: layout.results)
    }

    /// Target gain against mean non-target change, one point per regime (mean over seeds) and a
    /// faint point per seed; the Pareto front of the regime means is drawn.
    public static func tradeoffChart(_ r: ExperimentResults) -> ScatterChart {
        var series: [ScatterChart.Series] = []
        for regime in r.regimes {
            guard let x = regime.backwardTransferPoints?.mean, let y = regime.targetImprovementPoints?.mean else { continue }
            series.append(.init(name: regime.regime, points: [.init(x: x, y: y, label: regime.regime)]))
        }
        return ScatterChart(title: "\(r.name): target gain vs forgetting (mean of \(r.seeds.count) seeds)",
                            xLabel: "mean non-target change (points)", yLabel: "target change (points)", series: series,
                            showParetoFront: true, maximizeX: true, maximizeY: true)
    }

    /// TI and BWT (%, mean over seeds) against the share of response tokens each regime masks.
    public static func maskingChart(_ r: ExperimentResults) -> ScatterChart {
        var ti: [ScatterChart.Point] = [], bwt: [ScatterChart.Point] = []
        for regime in r.regimes {
            let share = regime.maskedFraction * 100
            if let v = regime.targetImprovement?.mean, v.isFinite { ti.append(.init(x: share, y: v, label: regime.regime)) }
            if let v = regime.backwardTransfer?.mean, v.isFinite { bwt.append(.init(x: share, y: v, label: regime.regime)) }
        }
        return ScatterChart(title: "\(r.name): TI and BWT against the masked share (mean of \(r.seeds.count) seeds)",
                            xLabel: "masked share of response tokens (%)", yLabel: "relative change (%)",
                            series: [.init(name: "TI (target)", points: ti), .init(name: "BWT (non-target)", points: bwt)],
                            showParetoFront: false)
    }

    /// Per-token perplexity of the training responses under the base model: ground truth against
    /// self-output, with TAU drawn.
    public static func perplexityChart(_ r: ExperimentResults, groundTruth: [Double], selfOutput: [Double]?) -> HistogramChart {
        var series = [HistogramChart.Series(name: "ground truth (\(groundTruth.count) tokens)", values: groundTruth)]
        if let selfOutput { series.append(.init(name: "self-output (\(selfOutput.count) tokens)", values: selfOutput)) }
        return HistogramChart(title: "Response-token perplexity under the base model", xLabel: "per-token perplexity (log scale)",
                              yLabel: "share of tokens", series: series, binCount: 24, logScaleX: true,
                              threshold: .init(value: r.tau, label: "TAU = \(ReportNumberFormat.number(r.tau, decimals: 2))"),
                              normalization: .fraction)
    }

    static func spread(_ s: Spread?, decimals: Int = 1, unit: String = "") -> String {
        guard let s, s.mean.isFinite else { return ReportNumberFormat.notAvailable }
        let mean = ReportNumberFormat.signed(s.mean, decimals: decimals)
        return s.count > 1 ? "\(mean) ± \(ReportNumberFormat.number(s.standardDeviation, decimals: decimals))\(unit)" : "\(mean)\(unit)"
    }

    static func seconds(_ s: Double) -> String { String(format: "%.1f s", s) }

    /// The Markdown report.
    public static func markdown(_ r: ExperimentResults) -> String {
        let front = Set(tradeoffChart(r).paretoFront.compactMap(\.label))
        var doc = MarkdownDocument()
        doc.heading("Experiment: \(r.name)", level: 1)
        if let d = r.description { doc.paragraph(d) }
        doc.bulletList([
            MarkdownText("Base model: ") + .code(r.base.source) + MarkdownText(" (\(r.base.fingerprint)); scorer: ") + .code(r.scorer.source),
            MarkdownText("Training data: \(r.trainingData.source): \(r.trainingData.examples) examples, \(r.trainingData.responseTokens) response tokens; "
                + "base-model per-token perplexity median \(ReportNumberFormat.number(r.trainingData.medianPerplexity, decimals: 2)), "
                + "90th percentile \(ReportNumberFormat.number(r.trainingData.p90Perplexity, decimals: 2)); "
                + "\(ReportNumberFormat.number(r.trainingData.fractionAboveTau * 100, decimals: 1))% above TAU = \(ReportNumberFormat.number(r.tau, decimals: 2))"),
            MarkdownText("Target: \(r.targetTasks.joined(separator: ", ")); non-target: \(r.nonTargetTasks.joined(separator: ", ")); "
                + "\(r.evaluationLimit.map { "first \($0) items per task" } ?? "all items"); seeds \(r.seeds.map(String.init).joined(separator: ", "))"),
        ])

        let checks = ExperimentConditions.checks(r)
        if r.conditions != nil, !checks.isEmpty {
            doc.heading("Conditions")
            var table = MarkdownTable(headers: ["Statistic", "Measured", "The paper's setting", "In range"], alignments: [.left, .right, .left, .left])
            for c in checks { table.addRow(plain: [c.statistic, c.measured, c.wanted, c.holds.map { $0 ? "yes" : "no" } ?? "—"]) }
            doc.table(table)
        }

        doc.heading("Leaderboard")
        let nonTargets = r.nonTargetTasks
        var columns = ["Regime", "Masked", "Target Δ (pts)", "TI (%)", "BWT (%)", "BWT (pts)"] + nonTargets.map { "\($0) Δ (pts)" }
            + ["Data prep", "Train"]
        if r.gated { columns.append("Gates") }
        var table = MarkdownTable(headers: columns, alignments: [.left] + Array(repeating: .right, count: columns.count - 1))
        for regime in r.regimes {
            func task(_ name: String) -> String {
                guard let t = regime.tasks.first(where: { $0.task == name }) else { return ReportNumberFormat.notAvailable }
                let mark = SignificanceMark.mark(p: t.maxPValue)
                return spread(t.changePoints) + (mark.isEmpty ? "" : " " + mark)
            }
            let target = r.targetTasks.map(task).joined(separator: "; ")
            let prep = r.dataRegimes.first { $0.regime == regime.regime }.map { seconds($0.seconds) } ?? "—"
            var row = [(front.contains(regime.regime) ? "★ " : "") + regime.regime,
                       "\(ReportNumberFormat.number(regime.maskedFraction * 100, decimals: 1))%", target,
                       spread(regime.targetImprovement), spread(regime.backwardTransfer), spread(regime.backwardTransferPoints)]
                + nonTargets.map(task) + [prep, seconds(regime.meanTrainingSeconds)]
            if r.gated {
                row.append(regime.gatesFailed > 0 ? "❌ \(regime.gatesFailed) failed" : regime.gatesInconclusive > 0 ? "⚠️ \(regime.gatesInconclusive) inconclusive" : "✅ passed")
            }
            table.addRow(plain: row)
        }
        doc.table(table)
        doc.paragraph("Changes are candidate − base in points, mean ± standard deviation over \(r.seeds.count) seeds. "
            + "Marks use the largest p-value over the seeds (Holm-adjusted over non-target tasks), so a mark means every seed was significant: "
            + SignificanceMark.legend() + ". TI and BWT are relative changes (Wu et al.): TI on the target task(s), BWT the mean over "
            + "non-target tasks. ★ marks the Pareto front of target gain against mean non-target change. Masked = share of response "
            + "tokens left out of the loss. Train = mean training time per candidate.")
        doc.image(alt: "Target gain against mean non-target change per regime", path: "tradeoff.svg")
        doc.image(alt: "TI and BWT against the masked share per regime", path: "masking.svg")
        doc.image(alt: "Histogram of response-token perplexity, ground truth against self-output", path: "perplexity.svg")

        if let failures = r.trainingFailures, !failures.isEmpty {
            doc.heading("Failed training")
            doc.paragraph("These candidates' trainer failed; they have no results above. Run the spec again into the same directory to retry only them.")
            for f in failures {
                doc.bulletList(["\(f.regime) seed \(f.seed): \(f.message); log: \(f.log)"])
                if !f.lastLines.isEmpty { doc.codeBlock(f.lastLines.joined(separator: "\n")) }
            }
        }
        doc.heading("Base model")
        var base = MarkdownTable(headers: ["Task", "Role", "Metric", "Score", "Items"], alignments: [.left, .left, .left, .right, .right])
        for s in r.baseScores {
            base.addRow(plain: [s.task, r.targetTasks.contains(s.task) ? "target" : "non-target", s.metric,
                                ReportNumberFormat.valueWithBounds(s.value, interval: s.interval95.map { ($0[0], $0[1]) }), "\(s.items)"])
        }
        doc.table(base)

        if !r.dataRegimes.isEmpty {
            doc.heading("Data regimes")
            doc.bulletList(r.dataRegimes.map { d in
                "\(d.regime): kept \(d.kept) of \(d.items) training items (\(d.dropped) dropped with no correct answer); "
                    + "\(d.correctAnswers) of \(d.items * d.samplesPerItem) sampled answers correct; \(d.generatedTokens) tokens generated in \(seconds(d.seconds))"
            })
        }

        doc.heading("Per seed")
        var perSeed = MarkdownTable(headers: ["Regime", "Seed", "Examples", "Masked", "Target Δ (pts)", "TI (%)", "BWT (%)", "Steps", "Final loss", "Train"],
                                    alignments: [.left] + Array(repeating: .right, count: 9))
        for regime in r.regimes {
            for c in regime.candidates {
                perSeed.addRow(plain: [
                    regime.regime, "\(c.seed)", "\(c.trainingExamples)", "\(ReportNumberFormat.number(c.maskedFraction * 100, decimals: 1))%",
                    c.comparison.deltas.targetImprovementPoints.map { ReportNumberFormat.signed($0, decimals: 1) } ?? ReportNumberFormat.notAvailable,
                    c.comparison.deltas.targetImprovement.map { ReportNumberFormat.signed($0, decimals: 1) } ?? ReportNumberFormat.notAvailable,
                    c.comparison.deltas.backwardTransfer.map { ReportNumberFormat.signed($0, decimals: 1) } ?? ReportNumberFormat.notAvailable,
                    "\(c.training.steps)", ReportNumberFormat.number(c.training.finalLoss, decimals: 4), seconds(c.training.seconds),
                ])
            }
        }
        doc.details(summary: "Every candidate (\(r.regimes.map(\.candidates.count).reduce(0, +)))") { $0.table(perSeed) }

        doc.heading("Gates")
        if r.gated {
            var gates = MarkdownTable(headers: ["Regime", "Seed", "Task", "Metric", "Outcome", "Why"], alignments: [.left, .right, .left, .left, .left, .left])
            for regime in r.regimes {
                for c in regime.candidates {
                    for g in c.comparison.gates {
                        gates.addRow(plain: [regime.regime, "\(c.seed)", g.gate.task, g.gate.metric, g.outcome.rawValue, g.reason])
                    }
                }
            }
            doc.table(gates)
        } else {
            doc.paragraph("The spec sets no gates; every change above is reported without a pass/fail verdict.")
        }

        doc.heading("Run")
        let t = r.timings
        doc.paragraph("Wall clock \(seconds(t.totalSeconds)) in this invocation: base evaluation \(seconds(t.baseEvaluationSeconds)), "
            + "scoring \(seconds(t.scoringSeconds)), data regimes \(seconds(t.dataSeconds)), training \(seconds(t.trainingSeconds)), "
            + "candidate evaluation \(seconds(t.evaluationSeconds)) (stages finished by an earlier invocation count 0). ForgetBench \(r.harnessVersion); spec sha256 \(String(r.specSHA256.prefix(12)))."
        )
        return doc.render()
    }

    /// One test suite per regime; a test case per seed and gate (or, without gates, per seed and
    /// task, carrying the numbers and passing).
    public static func junit(_ r: ExperimentResults) -> Data {
        var suites: [JUnitTestSuite] = []
        for regime in r.regimes {
            var cases: [JUnitTestCase] = []
            for c in regime.candidates {
                for task in c.comparison.tasks {
                    for m in task.metrics {
                        let gate = c.comparison.gates.first { $0.gate.task == task.name && $0.gate.metric == m.metric }
                        if r.gated && gate == nil { continue }
                        if !r.gated && m.metric != task.metrics.first?.metric { continue }
                        var properties = [
                            JUnitProperty(name: "seed", value: "\(c.seed)"), JUnitProperty(name: "base", value: "\(m.base)"),
                            JUnitProperty(name: "candidate", value: "\(m.candidate)"), JUnitProperty(name: "change", value: "\(m.difference)"),
                            JUnitProperty(name: "p_value", value: "\(m.adjustedPValue)"), JUnitProperty(name: "n", value: "\(task.pairedItems)"),
                        ]
                        if let ci = m.interval95 { properties.append(JUnitProperty(name: "ci95", value: "[\(ci[0]), \(ci[1])]")) }
                        var outcome = JUnitTestCase.Outcome.passed
                        if let gate {
                            properties.append(JUnitProperty(name: "outcome", value: gate.outcome.rawValue))
                            if gate.outcome == .fail {
                                outcome = .failure(message: "\(task.name) \(m.metric) regressed under \(regime.regime) (seed \(c.seed)): \(gate.reason)", type: "gate.fail")
                            }
                        }
                        cases.append(JUnitTestCase(name: "seed \(c.seed): \(task.name) \(m.metric)",
                                                   classname: "\(ExperimentLayout.slug(regime.regime)).\(task.role == .target ? "target" : "nontarget").\(task.name)",
                                                   time: 0, properties: properties, outcome: outcome))
                    }
                }
            }
            var properties = [JUnitProperty(name: "masked_fraction", value: "\(regime.maskedFraction)")]
            if let ti = regime.targetImprovement { properties.append(JUnitProperty(name: "TI_percent_mean", value: "\(ti.mean)")) }
            if let bwt = regime.backwardTransfer { properties.append(JUnitProperty(name: "BWT_percent_mean", value: "\(bwt.mean)")) }
            suites.append(JUnitTestSuite(name: "regime \(regime.regime)", time: regime.meanTrainingSeconds * Double(regime.candidates.count),
                                         properties: properties, testCases: cases))
        }
        // A candidate whose trainer failed: an <error> case in its regime's suite.
        for f in r.trainingFailures ?? [] {
            let failed = JUnitTestCase(name: "seed \(f.seed): training", classname: "\(ExperimentLayout.slug(f.regime)).training", time: 0,
                                       properties: [JUnitProperty(name: "seed", value: "\(f.seed)"), JUnitProperty(name: "exit_code", value: "\(f.exitCode)"),
                                                    JUnitProperty(name: "log", value: f.log)],
                                       outcome: .error(message: "\(f.regime) seed \(f.seed): \(f.message)", details: f.lastLines.joined(separator: "\n")))
            if let i = suites.firstIndex(where: { $0.name == "regime \(f.regime)" }) {
                suites[i].testCases.append(failed)
            } else {
                suites.append(JUnitTestSuite(name: "regime \(f.regime)", time: 0, properties: [], testCases: [failed]))
            }
        }
        return JUnitXMLWriter().data(for: JUnitReport(name: "forgetbench run \(r.name)", testSuites: suites))
    }
}
