import Foundation
import Harness
import Reports

/// The files of `forgetbench leaderboard`: `leaderboard.md` (fits `$GITHUB_STEP_SUMMARY` and a
/// README), `leaderboard.json` (``Leaderboard``), `index.html` (``LeaderboardPage``) and one
/// `tradeoff-N.svg` per table with a chart. Every file is written atomically; the same inputs give
/// the same bytes.
public enum LeaderboardReport {
    /// Writes every file into `directory` (created when missing), `leaderboard.json` last.
    public static func write(_ board: Leaderboard, to directory: URL) throws {
        try RunDirectory.prepare(directory)
        for table in board.tables {
            if let svg = table.tradeoffSVG {
                try AtomicFile.write(Data(svg.utf8), to: directory.appendingPathComponent(chartFile(table)))
            }
        }
        try AtomicFile.write(Data(markdown(board).utf8), to: directory.appendingPathComponent("leaderboard.md"))
        try AtomicFile.write(try LeaderboardPage.html(board), to: directory.appendingPathComponent("index.html"))
        try AtomicFile.write(try RunDirectory.json(board), to: directory.appendingPathComponent("leaderboard.json"))
    }

    static func chartFile(_ t: LeaderboardTable) -> String { "tradeoff-\(t.number).svg" }

    /// A score with its interval: `0.530 [0.461, 0.599]`.
    static func score(_ c: LeaderboardCell) -> String {
        ReportNumberFormat.number(c.value) + (c.interval95.map { " [\(ReportNumberFormat.number($0[0])), \(ReportNumberFormat.number($0[1]))]" } ?? "")
    }

    /// A change with its significance mark: `-4.5 pts**`, `+0.012 ?` (unknown significance).
    static func delta(_ c: LeaderboardCell) -> String? {
        guard let d = c.delta else { return nil }
        let text = c.deltaInPoints ? ReportNumberFormat.signedPoints(d) : ReportNumberFormat.signed(d, decimals: 3)
        return text + (c.pValue.map { SignificanceMark.mark(p: $0) } ?? " ?")
    }

    /// The Markdown: per table a leaderboard (scores with intervals, deltas with marks, TI, BWT,
    /// fingerprint), its chart, each row's settings, and the flip counts of compared pairs.
    public static func markdown(_ board: Leaderboard) -> String {
        var doc = MarkdownDocument()
        doc.heading("ForgetBench leaderboard", level: 1)
        let kinds = Dictionary(grouping: board.inputs, by: \.kind).mapValues(\.count)
        let rowCount = board.tables.map(\.rows.count).reduce(0, +)
        doc.paragraph("\(rowCount) model\(rowCount == 1 ? "" : "s") from \(board.inputs.count) output\(board.inputs.count == 1 ? "" : "s") ("
            + [LeaderboardInput.Kind.eval, .compare, .run].compactMap { k in kinds[k].map { "\(k.rawValue) \($0)" } }.joined(separator: ", ")
            + ")" + (board.tables.count > 1 ? " in \(board.tables.count) tables: rows whose task versions or hashes differ are not put side by side." : "."))
        for table in board.tables {
            if board.tables.count > 1 { doc.heading("Table \(table.number)", level: 2) }
            if let s = table.separation { doc.paragraph("Not in table 1: " + s + ".") }
            doc.append(contentsOf: tableSection(table))
        }
        doc.details(summary: "Inputs") { d in d.bulletList(board.inputs.map { MarkdownText("\($0.kind.rawValue) ") + .code($0.path) }) }
        return doc.render()
    }

    static func tableSection(_ t: LeaderboardTable) -> MarkdownDocument {
        var doc = MarkdownDocument()
        let byID = Dictionary(uniqueKeysWithValues: t.rows.map { ($0.id, $0) })
        if let base = t.base.flatMap({ byID[$0] }) {
            doc.paragraph(MarkdownText("Changes against ") + .bold(MarkdownText(base.label)) + MarkdownText(t.baseReason.map { " (\($0))." } ?? "."))
        }
        if t.rolesKnown {
            let targets = t.tasks.filter { $0.role == .target }.map(\.name)
            doc.paragraph("Target task\(targets.count == 1 ? "" : "s"): \(targets.isEmpty ? "none" : targets.joined(separator: ", ")); every other task is non-target.")
        }
        var columns: [MarkdownTable.Column] = [.init("model")]
        for task in t.tasks {
            columns.append(.init(MarkdownText(task.name + (task.role == .target ? " (target)" : "") + " "
                + DirectionArrow.label(task.metric, higherIsBetter: task.polarity.higherIsBetter)), alignment: .right))
        }
        if t.rolesKnown { columns += [.init("TI", alignment: .right), .init("BWT", alignment: .right)] }
        columns.append(.init("fingerprint"))
        var table = MarkdownTable(columns: columns)
        for row in t.rows {
            var cells: [MarkdownText] = [row.id == t.base ? .bold(MarkdownText(row.label)) : MarkdownText(row.label)]
            for cell in row.cells {
                guard let cell else { cells.append(MarkdownText("—")); continue }
                cells.append(MarkdownText(delta(cell).map { "\(score(cell)) (\($0))" } ?? score(cell)))
            }
            if t.rolesKnown {
                cells.append(MarkdownText(row.targetImprovement.map { ReportNumberFormat.percent($0) } ?? "—"))
                cells.append(MarkdownText(row.backwardTransfer.map { ReportNumberFormat.percent($0) } ?? "—"))
            }
            cells.append(.code(row.model.fingerprint.description + (row.model.adapter.map { " + adapter \($0.description)" } ?? "")))
            table.addRow(cells)
        }
        doc.table(table)
        doc.paragraph(MarkdownText("Scores with 95% intervals where recorded; changes in points for 0–1 metrics. ")
            + MarkdownText(SignificanceMark.legend(note: "paired tests as compare runs them: exact McNemar or paired bootstrap, Holm-adjusted across non-target tasks"))
            + MarkdownText("; ? significance unknown (no comparison of the two and no per-item samples)."
                + (t.rolesKnown ? " TI and BWT: mean relative change (%) on target and non-target tasks (Wu et al.)." : "")))
        if t.tradeoffSVG != nil { doc.image(alt: "target gain against forgetting", path: chartFile(t)) }
        doc.details(summary: "Settings of each row") { d in
            var settings = MarkdownTable(columns: [.init("model"), .init("source"), .init("settings"), .init("outputs")])
            for row in t.rows {
                settings.addRow([MarkdownText(row.label), .code(row.model.source),
                                 MarkdownText(row.settings.map { "\($0.name) \($0.value)" }.joined(separator: ", ")),
                                 MarkdownText(row.sources.joined(separator: ", "))])
            }
            d.table(settings)
            d.bulletList(t.tasks.map { task in
                MarkdownText("\(task.name): ") + (task.contentHash.map { MarkdownText.code("v\(task.version ?? "?") sha256:\($0.prefix(16))") } ?? MarkdownText("version and hash not recorded"))
            })
        }
        let flipped = t.pairs.filter { $0.tasks.contains { $0.flips != nil } }
        if !flipped.isEmpty {
            var flips = MarkdownTable(columns: [.init("base"), .init("candidate"), .init("task"), .init("right → wrong", alignment: .right),
                                                .init("wrong → right", alignment: .right), .init("from")])
            for p in flipped {
                for task in p.tasks where task.flips != nil {
                    let lost = task.flips!.filter { $0.direction == .rightToWrong }.count
                    flips.addRow(plain: [byID[p.base]?.label ?? p.base, byID[p.candidate]?.label ?? p.candidate, task.task,
                                         "\(lost)", "\(task.flips!.count - lost)", p.source])
                }
            }
            doc.details(summary: "Items that flipped (counts; the items are in index.html and leaderboard.json)") { d in d.table(flips) }
        }
        return doc
    }
}
