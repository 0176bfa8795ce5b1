import Foundation
import Harness
import Metrics
import Reports

/// Turns `eval`, `compare` and `run` outputs into a ``Leaderboard``.
///
/// - Rows: one per model evaluation. An `eval` output is a row; a `run` output gives its base and
///   each candidate (regime and seed); a `compare` output its base and candidate. The same
///   evaluation met twice (an `eval` output and the `compare` that used it: same fingerprint,
///   same values) is one row.
/// - Tables: rows stand side by side only when every task they share has the same version and
///   content hash; others go to further tables, each saying which task differs. A task whose hash
///   an older file did not record matches only rows of the same output.
/// - Deltas against the base row, with the paired test's p-value when a `compare` or `run`
///   output compared the two, or when both rows have per-item samples (then ``Comparator`` runs
///   as `compare` would); otherwise the significance is unknown.
public struct LeaderboardBuilder: Sendable {
    /// `--base`: a row's label, output path, model source or fingerprint prefix (6+ hex digits).
    public var baseName: String?
    /// `--target`: the target tasks; nil takes them from the `compare` and `run` outputs.
    public var targetTasks: Set<String>?

    public init(baseName: String? = nil, targetTasks: Set<String>? = nil) {
        self.baseName = baseName
        self.targetTasks = targetTasks
    }

    struct Cell {
        var metric: String
        var polarity: MetricDirection
        var value: Double
        var interval: [Double]?
        var items: Int?
        var version: String?
        var contentHash: String?
        /// Whether the metric is a 0–1 mean (deltas in points); nil when unknown.
        var pointsScale: Bool?
    }

    struct Row {
        var label: String
        var group: String
        var sources: [String]
        var model: ModelRecord
        var settings: [LeaderboardSetting]
        var cells: [String: Cell]
        var samples: RunDirectory.Loaded?

        var modelKey: String { model.fingerprint.sha256 + "+" + (model.adapter?.sha256 ?? "") }

        /// The task's identity for grouping; without a recorded hash, the output it came from.
        func identity(_ task: String) -> String {
            guard let c = cells[task] else { return "" }
            if let h = c.contentHash { return "v\(c.version ?? "?") \(h)" }
            return "unrecorded in \(sources[0])"
        }
    }

    struct Pair {
        var base: Int
        var candidate: Int
        var source: String
        var comparison: ComparisonResults
    }

    /// Builds the leaderboard of `sources` (as ``LeaderboardSource/discover(_:)`` returns them).
    ///
    /// - Throws: ``RunnerError`` when `--base` names no row or several rows of one table, or a
    ///   paired test fails on malformed samples.
    public func build(_ sources: [LeaderboardSource]) throws -> Leaderboard {
        var rows: [Row] = []
        var pairs: [Pair] = []
        // eval outputs first (their labels and samples win when a row is met again), then runs, then comparisons.
        for source in sources { if case .eval(let path, let run) = source { rows.append(Self.row(run, label: Self.lastComponent(path), group: "eval", source: path)) } }
        for source in sources {
            guard case .experiment(let path, let results, let base, let candidates) = source else { continue }
            let baseIndex = rows.count
            rows.append(Self.baseRow(results, eval: base, path: path))
            for regime in results.regimes {
                for c in regime.candidates {
                    let label = "\(results.name): \(regime.regime) seed \(c.seed)"
                    var row: Row
                    if let eval = candidates[LeaderboardSource.candidateKey(regime: regime.regime, seed: c.seed)] {
                        row = Self.row(eval, label: label, group: regime.regime, source: path)
                    } else {
                        row = Self.side(c.comparison, candidate: true, label: label, group: regime.regime, source: path)
                    }
                    var settings = [LeaderboardSetting(name: "regime", value: regime.regime), LeaderboardSetting(name: "seed", value: "\(c.seed)"),
                                    LeaderboardSetting(name: "masked_fraction", value: ReportNumberFormat.number(c.maskedFraction, decimals: 3)),
                                    LeaderboardSetting(name: "training_examples", value: "\(c.trainingExamples)")]
                    if let limit = results.evaluationLimit { settings.append(LeaderboardSetting(name: "limit", value: "\(limit)")) }
                    row.settings = settings
                    pairs.append(Pair(base: baseIndex, candidate: rows.count, source: "run output \(path)", comparison: c.comparison))
                    rows.append(row)
                }
            }
        }
        for source in sources {
            guard case .comparison(let path, let c) = source else { continue }
            let name = Self.lastComponent(path)
            pairs.append(Pair(base: rows.count, candidate: rows.count + 1, source: "compare output \(path)", comparison: c))
            rows.append(Self.side(c, candidate: false, label: "\(name): base", group: "compare", source: path))
            rows.append(Self.side(c, candidate: true, label: "\(name): candidate", group: "compare", source: path))
        }

        // One row per evaluation: merge later rows into an earlier one of the same model and values.
        var mergedInto = Array(rows.indices)
        var kept: [Int] = []
        for i in rows.indices {
            if let j = kept.first(where: { Self.sameEvaluation(rows[$0], rows[i]) }) {
                mergedInto[i] = j
                rows[j] = Self.merge(rows[j], rows[i])
            } else {
                kept.append(i)
            }
        }
        pairs = pairs.map { var p = $0; p.base = mergedInto[p.base]; p.candidate = mergedInto[p.candidate]; return p }
        // Labels are unique: a repeated one gets the model's fingerprint, then its first output's path.
        func repeated() -> [Int] { kept.filter { i in kept.contains { $0 != i && rows[$0].label == rows[i].label } } }
        for i in repeated() { rows[i].label += " (\(rows[i].model.fingerprint.description))" }
        for i in repeated() { rows[i].label += " [\(rows[i].sources[0])]" }

        // Tables of rows whose shared tasks have the same identity.
        var groups: [[Int]] = []
        var separations: [String?] = []
        for i in kept {
            if let g = groups.firstIndex(where: { group in group.allSatisfy { Self.conflict(rows[$0], rows[i]) == nil } }) {
                groups[g].append(i)
            } else {
                separations.append(groups.isEmpty ? nil : groups.first.flatMap { g in g.lazy.compactMap { Self.conflict(rows[$0], rows[i]) }.first })
                groups.append([i])
            }
        }

        let baseMatches = try matchBase(rows: rows, groups: groups)
        var tables: [LeaderboardTable] = []
        for (number, group) in groups.enumerated() {
            tables.append(try table(number: number + 1, group: group, rows: rows, pairs: pairs, separation: separations[number],
                                    explicitBase: baseMatches[number]))
        }
        // Row ids: r1, r2, … in table order.
        var ids: [String: String] = [:]
        var counter = 0
        for t in tables { for r in t.rows { counter += 1; ids[r.id] = "r\(counter)" } }
        tables = tables.map { t in
            var t = t
            t.base = t.base.flatMap { ids[$0] }
            t.rows = t.rows.map { var r = $0; r.id = ids[r.id]!; return r }
            t.pairs = t.pairs.map { var p = $0; p.base = ids[p.base]!; p.candidate = ids[p.candidate]!; return p }
            return t
        }
        return Leaderboard(inputs: sources.map { LeaderboardInput(path: $0.path, kind: $0.kind) }, tables: tables)
    }

    // MARK: rows

    static func lastComponent(_ path: String) -> String {
        let c = (path as NSString).lastPathComponent
        return c.isEmpty || c == "." ? path : c
    }

    static func row(_ run: RunDirectory.Loaded, label: String, group: String, source: String) -> Row {
        var cells: [String: Cell] = [:]
        for t in run.results.tasks {
            guard let m = t.metrics.first else { continue }
            cells[t.name] = Cell(metric: m.name, polarity: m.polarity, value: m.value, interval: m.interval95, items: t.itemCount,
                                 version: t.version, contentHash: t.contentHash,
                                 pointsScale: m.aggregation == .mean)
        }
        let s = run.results.settings
        var settings = [LeaderboardSetting(name: "limit", value: s.limit.map(String.init) ?? "all"), .init(name: "seed", value: "\(s.seed)")]
        if let shard = s.shard { settings.append(.init(name: "shard", value: shard)) }
        if let chat = s.applyChatTemplate { settings.append(.init(name: "apply_chat_template", value: "\(chat)")) }
        if let sha = s.chatTemplateSHA256 { settings.append(.init(name: "chat_template_sha256", value: String(sha.prefix(12)))) }
        if let revision = run.results.model.revision { settings.append(.init(name: "revision", value: revision)) }
        return Row(label: label, group: group, sources: [source], model: run.results.model, settings: settings, cells: cells, samples: run)
    }

    /// A run's base row: from its `base/` evaluation when present, else from the recorded scores.
    static func baseRow(_ r: ExperimentResults, eval: RunDirectory.Loaded?, path: String) -> Row {
        let label = "\(r.name): base"
        if let eval { return row(eval, label: label, group: "base", source: path) }
        // Versions, hashes, polarity and scale from the candidates' comparisons (made against this base).
        let comparedTasks = r.regimes.first?.candidates.first?.comparison.tasks ?? []
        var cells: [String: Cell] = [:]
        for s in r.baseScores {
            let t = comparedTasks.first { $0.name == s.task }
            let m = t?.metrics.first { $0.metric == s.metric }
            cells[s.task] = Cell(metric: s.metric, polarity: m?.polarity ?? .higherIsBetter, value: s.value, interval: nil, items: s.items,
                                 version: t?.version, contentHash: t?.contentHash, pointsScale: m.map { $0.differencePoints != nil })
        }
        let settings = r.evaluationLimit.map { [LeaderboardSetting(name: "limit", value: "\($0)")] } ?? []
        return Row(label: label, group: "base", sources: [path], model: r.base, settings: settings, cells: cells, samples: nil)
    }

    /// The base's or the candidate's side of a comparison (primary metrics).
    static func side(_ c: ComparisonResults, candidate: Bool, label: String, group: String, source: String) -> Row {
        var cells: [String: Cell] = [:]
        for t in c.tasks {
            guard let m = t.metrics.first else { continue }
            cells[t.name] = Cell(metric: m.metric, polarity: m.polarity, value: candidate ? m.candidate : m.base, interval: nil, items: t.pairedItems,
                                 version: t.version, contentHash: t.contentHash, pointsScale: m.differencePoints != nil)
        }
        return Row(label: label, group: group, sources: [source], model: candidate ? c.candidate : c.base, settings: [], cells: cells, samples: nil)
    }

    /// Same model, and every shared task has the same metric, value and (where recorded) item count
    /// and identity.
    static func sameEvaluation(_ a: Row, _ b: Row) -> Bool {
        guard a.modelKey == b.modelKey else { return false }
        let shared = Set(a.cells.keys).intersection(b.cells.keys)
        guard !shared.isEmpty else { return false }
        return shared.allSatisfy { t in
            let x = a.cells[t]!, y = b.cells[t]!
            let identity = x.contentHash == nil || y.contentHash == nil || (x.contentHash == y.contentHash && x.version == y.version)
            let items = x.items == nil || y.items == nil || x.items == y.items
            return identity && items && x.metric == y.metric && (x.value == y.value || abs(x.value - y.value) <= 1e-12 * max(1, abs(x.value)))
        }
    }

    static func merge(_ a: Row, _ b: Row) -> Row {
        var out = a
        out.sources += b.sources.filter { !a.sources.contains($0) }
        for (t, cell) in b.cells {
            guard var existing = out.cells[t] else { out.cells[t] = cell; continue }
            existing.version = existing.version ?? cell.version
            existing.contentHash = existing.contentHash ?? cell.contentHash
            existing.interval = existing.interval ?? cell.interval
            existing.pointsScale = existing.pointsScale ?? cell.pointsScale
            out.cells[t] = existing
        }
        for s in b.settings where !out.settings.contains(where: { $0.name == s.name }) { out.settings.append(s) }
        out.samples = a.samples ?? b.samples
        return out
    }

    /// Why `a` and `b` cannot stand side by side (the first shared task whose identity differs), or nil.
    static func conflict(_ a: Row, _ b: Row) -> String? {
        for t in Set(a.cells.keys).intersection(b.cells.keys).sorted() where a.identity(t) != b.identity(t) {
            func describe(_ r: Row) -> String {
                let c = r.cells[t]!
                guard let h = c.contentHash else { return "unrecorded in \(r.sources[0]) (written by an older forgetbench)" }
                return "version \(c.version ?? "?"), sha256 \(h.prefix(12))… in \(r.label)"
            }
            return "task \(t) differs: \(describe(a)) against \(describe(b)); results are not comparable"
        }
        return nil
    }

    // MARK: tables

    /// Per table, the row `--base` names in it (nil: none named there). Throws when it names no row
    /// at all or several rows in one table.
    func matchBase(rows: [Row], groups: [[Int]]) throws -> [Int?] {
        guard let name = baseName else { return groups.map { _ in nil } }
        func matches(_ r: Row) -> Bool {
            r.label == name || r.sources.contains(name) || r.model.source == name || r.model.name == name
                || (name.count >= 6 && name.allSatisfy(\.isHexDigit) && r.model.fingerprint.sha256.hasPrefix(name.lowercased()))
        }
        var out: [Int?] = []
        for group in groups {
            let found = group.filter { matches(rows[$0]) }
            if found.count > 1 {
                throw RunnerError.invalid("--base \(name) names \(found.count) rows of one table (\(found.map { rows[$0].label }.joined(separator: ", "))): give a label, an output path or a longer fingerprint prefix")
            }
            out.append(found.first)
        }
        if out.allSatisfy({ $0 == nil }) {
            throw RunnerError.invalid("--base \(name) names no row; rows: \(groups.flatMap { $0 }.map { rows[$0].label }.joined(separator: ", "))")
        }
        return out
    }

    func table(number: Int, group: [Int], rows: [Row], pairs allPairs: [Pair], separation: String?, explicitBase: Int?) throws -> LeaderboardTable {
        let members = Set(group)
        var pairs = allPairs.filter { members.contains($0.base) && members.contains($0.candidate) && $0.base != $0.candidate }
        // The base: --base, else the row most often a comparison's base, else the first row without
        // an adapter when others have one (a fine-tune's base), else the first row.
        let base: Int?, baseReason: String?
        if group.count < 2 {
            (base, baseReason) = (nil, nil)
        } else if let explicitBase {
            (base, baseReason) = (explicitBase, "chosen with --base")
        } else {
            let counts = Dictionary(grouping: pairs, by: \.base).mapValues(\.count)
            if let best = group.max(by: { (counts[$0] ?? 0, -$0) < (counts[$1] ?? 0, -$1) }), let n = counts[best] {
                (base, baseReason) = (best, "the base of \(n) comparison\(n == 1 ? "" : "s") in the inputs; choose another with --base")
            } else if let plain = group.first(where: { rows[$0].model.adapter == nil }), group.contains(where: { rows[$0].model.adapter != nil }) {
                (base, baseReason) = (plain, "the first row without an adapter; choose another with --base")
            } else {
                (base, baseReason) = (group[0], "the first row; choose another with --base")
            }
        }
        let explicitNote = baseName != nil && explicitBase == nil && base != nil ? " (--base \(baseName!) is not in this table)" : ""

        let targets: Set<String> = targetTasks ?? Set(pairs.flatMap(\.comparison.targetTasks))
        let rolesKnown = targetTasks != nil || !pairs.isEmpty

        // Columns: target tasks first, then by name; metric and identity from the first row with the task.
        let names = Set(group.flatMap { rows[$0].cells.keys })
        let ordered = names.sorted { (targets.contains($0) ? 0 : 1, $0) < (targets.contains($1) ? 0 : 1, $1) }
        let tasks = ordered.map { t -> LeaderboardTask in
            let c = group.lazy.compactMap { rows[$0].cells[t] }.first!
            let version = group.lazy.compactMap { rows[$0].cells[t]?.version }.first
            let hash = group.lazy.compactMap { rows[$0].cells[t]?.contentHash }.first
            return LeaderboardTask(name: t, version: version, contentHash: hash, metric: c.metric, polarity: c.polarity,
                                   role: rolesKnown ? (targets.contains(t) ? .target : .nonTarget) : nil)
        }

        // Paired tests between the base and rows that have samples but no comparison yet.
        if let base, let baseSamples = rows[base].samples {
            for r in group where r != base && !pairs.contains(where: { $0.base == base && $0.candidate == r }) {
                guard let samples = rows[r].samples else { continue }
                let shared = tasks.map(\.name).filter { rows[base].cells[$0] != nil && rows[r].cells[$0] != nil && rows[base].cells[$0]?.metric == rows[r].cells[$0]?.metric }
                guard !shared.isEmpty else { continue }
                func restricted(_ l: RunDirectory.Loaded) -> RunDirectory.Loaded {
                    var l = l
                    l.results.tasks = l.results.tasks.filter { shared.contains($0.name) }
                    return l
                }
                let comparator = Comparator(targetTasks: targets.intersection(shared), gates: GateConfiguration(defaultRule: nil))
                let comparison = try comparator.compare(base: restricted(baseSamples), candidate: restricted(samples))
                pairs.append(Pair(base: base, candidate: r, source: "paired test of two eval outputs", comparison: comparison))
            }
        }

        var outRows: [LeaderboardRow] = []
        for r in (base.map { [$0] } ?? []) + group.filter({ $0 != base }) {
            let row = rows[r]
            let pair = base.flatMap { b in pairs.first { $0.base == b && $0.candidate == r } }
            var cells: [LeaderboardCell?] = []
            var targetScores: [TaskScore] = [], nonTargetScores: [TaskScore] = []
            for task in tasks {
                guard let c = row.cells[task.name], c.metric == task.metric else { cells.append(nil); continue }
                var cell = LeaderboardCell(value: c.value, interval95: c.interval, items: c.items, delta: nil, deltaInPoints: false,
                                           deltaInterval95: nil, pValue: nil, test: nil, rightToWrong: nil, wrongToRight: nil)
                if let base, r != base, let b = rows[base].cells[task.name], b.metric == c.metric {
                    let m = pair?.comparison.tasks.first { $0.name == task.name }?.metrics.first { $0.metric == task.metric }
                    let points = m.map { $0.differencePoints != nil }
                        ?? ((c.pointsScale ?? b.pointsScale ?? false) && (0 ... 1).contains(c.value) && (0 ... 1).contains(b.value))
                    let scale = points ? 100.0 : 1.0
                    // A paired comparison's change is over the items both runs scored (which may be
                    // fewer than either run's); without one, the difference of the two scores.
                    let (before, after) = m.map { ($0.base, $0.candidate) } ?? (b.value, c.value)
                    cell.delta = (after - before) * scale
                    cell.deltaInPoints = points
                    if let m {
                        cell.deltaInterval95 = m.interval95.map { ci in ci.map { $0 * scale } }
                        cell.pValue = m.adjustedPValue
                        cell.test = m.test
                        cell.rightToWrong = m.baseOnlyCorrect
                        cell.wrongToRight = m.candidateOnlyCorrect
                    }
                    let score = TaskScore(task: task.name, before: before, after: after,
                                          direction: task.polarity)
                    if task.role == .target { targetScores.append(score) } else if task.role == .nonTarget { nonTargetScores.append(score) }
                }
                cells.append(cell)
            }
            var out = LeaderboardRow(id: "\(r)", label: row.label, group: row.group, sources: row.sources, model: row.model,
                                     settings: row.settings, cells: cells, hasSamples: row.samples != nil)
            if rolesKnown, let base, r != base {
                let deltas = ForgettingDeltas(target: targetScores, nonTarget: nonTargetScores)
                out.targetImprovement = deltas.targetImprovement
                out.targetImprovementPoints = deltas.targetImprovementPoints
                out.backwardTransfer = deltas.backwardTransfer
                out.backwardTransferPoints = deltas.backwardTransferPoints
            }
            outRows.append(out)
        }

        let outPairs = pairs.map { p in
            LeaderboardPair(base: "\(p.base)", candidate: "\(p.candidate)", source: p.source, tasks: tasks.compactMap { task in
                guard let t = p.comparison.tasks.first(where: { $0.name == task.name }),
                      let m = t.metrics.first(where: { $0.metric == task.metric }) else { return nil }
                return LeaderboardPairTask(task: task.name, metric: m.metric, pairedItems: t.pairedItems, baseOnlyCorrect: m.baseOnlyCorrect,
                                           candidateOnlyCorrect: m.candidateOnlyCorrect, flips: m.flips)
            })
        }

        var chart: String?
        if let base {
            let plotted = outRows.filter { $0.targetImprovementPoints != nil && $0.backwardTransferPoints != nil }
            if !plotted.isEmpty {
                var series: [ScatterChart.Series] = []
                for name in plotted.map(\.group).reduce(into: [String](), { if !$0.contains($1) { $0.append($1) } }) {
                    series.append(.init(name: name, points: plotted.filter { $0.group == name }.map {
                        .init(x: $0.backwardTransferPoints!, y: $0.targetImprovementPoints!, label: $0.label)
                    }))
                }
                let svg = SVGChart.scatter(ScatterChart(title: "Target gain vs forgetting against \(rows[base].label)",
                                                        xLabel: "mean non-target change (points)", yLabel: "target change (points)",
                                                        series: series)).svgString()
                chart = svg.range(of: "<svg").map { String(svg[$0.lowerBound...]) } ?? svg
            }
        }
        return LeaderboardTable(number: number, separation: separation, tasks: tasks, base: base.map { "\($0)" },
                                baseReason: baseReason.map { $0 + explicitNote }, rolesKnown: rolesKnown, rows: outRows, pairs: outPairs,
                                tradeoffSVG: chart)
    }
}
