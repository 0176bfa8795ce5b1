import Foundation
import Harness
import Metrics
import Reports
import TestSupport
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Runner

/// `forgetbench leaderboard`'s logic: rows from eval, compare and run outputs, deltas with the
/// paired tests compare runs, separate tables for differing task hashes, deterministic files, and
/// escaping of everything a task or model wrote.
final class LeaderboardTests: XCTestCase {
    var work: URL!
    override func setUpWithError() throws { work = try scratchDirectory(prefix: "forgetbench-leaderboard") }

    /// base (a), tuned (b), and the compare of the two; tasks "target" and "skill".
    func writeTrio() throws -> (base: RunDirectory.Loaded, tuned: RunDirectory.Loaded, comparison: ComparisonResults) {
        let base = try ConstructedRuns.write(model: "a", source: "models/base", tasks: [
            .init(name: "target", correct: ConstructedRuns.outcomes(80, p: 0.4, seed: 1)),
            .init(name: "skill", correct: ConstructedRuns.outcomes(80, p: 0.9, seed: 2)),
        ], to: work.appendingPathComponent("runs/base"))
        let tuned = try ConstructedRuns.write(model: "b", source: "models/tuned", tasks: [
            .init(name: "target", correct: ConstructedRuns.outcomes(80, p: 0.7, seed: 3)),
            .init(name: "skill", correct: ConstructedRuns.outcomes(80, p: 0.5, seed: 4)),
        ], to: work.appendingPathComponent("runs/tuned"))
        let comparison = try Comparator(targetTasks: ["target"], gates: GateConfiguration()).compare(base: base, candidate: tuned)
        try ComparisonReport.write(comparison, to: work.appendingPathComponent("runs/compare"))
        return (base, tuned, comparison)
    }

    func testEvalsAndTheirCompareAreTwoRowsWithTheComparisonsNumbers() throws {
        let (_, _, comparison) = try writeTrio()
        let sources = try LeaderboardSource.discover([work.appendingPathComponent("runs").path])
        XCTAssertEqual(sources.map(\.kind), [.eval, .compare, .eval])
        let board = try LeaderboardBuilder().build(sources)
        XCTAssertEqual(board.tables.count, 1)
        let table = board.tables[0]
        // The compare's base and candidate are the two eval rows (same fingerprints, same values).
        XCTAssertEqual(table.rows.map(\.label), ["base", "tuned"])
        XCTAssertEqual(table.rows[1].sources.count, 2)
        XCTAssertEqual(table.base, table.rows[0].id)
        XCTAssertEqual(table.tasks.map(\.name), ["target", "skill"])
        XCTAssertEqual(table.tasks.map(\.role), [.target, .nonTarget])
        XCTAssertEqual(table.pairs.count, 1)
        for (i, task) in table.tasks.enumerated() {
            let m = try XCTUnwrap(comparison.tasks.first { $0.name == task.name }?.metrics.first)
            let cell = try XCTUnwrap(table.rows[1].cells[i])
            XCTAssertEqual(cell.delta!, m.differencePoints!, accuracy: 1e-9)
            XCTAssertEqual(cell.pValue, m.adjustedPValue)
            XCTAssertEqual(cell.rightToWrong, m.baseOnlyCorrect)
            XCTAssertEqual(cell.wrongToRight, m.candidateOnlyCorrect)
            XCTAssertEqual(table.pairs[0].tasks[i].flips?.count, m.baseOnlyCorrect! + m.candidateOnlyCorrect!)
        }
        // TI and BWT recomputed from the scores equal the comparison's.
        XCTAssertEqual(table.rows[1].targetImprovement!, comparison.deltas.targetImprovement!, accuracy: 1e-9)
        XCTAssertEqual(table.rows[1].backwardTransfer!, comparison.deltas.backwardTransfer!, accuracy: 1e-9)
    }

    func testTwoEvalsAloneArePairedByTheirSamplesAsCompareWould() throws {
        let (_, _, comparison) = try writeTrio()
        let board = try LeaderboardBuilder(targetTasks: ["target"]).build(
            try LeaderboardSource.discover([work.appendingPathComponent("runs/tuned").path, work.appendingPathComponent("runs/base").path]))
        let table = board.tables[0]
        XCTAssertEqual(table.pairs.map(\.source), ["paired test of two eval outputs"])
        XCTAssertEqual(table.rows.map(\.label), ["base", "tuned"])
        for (i, task) in table.tasks.enumerated() {
            let m = try XCTUnwrap(comparison.tasks.first { $0.name == task.name }?.metrics.first)
            XCTAssertEqual(table.rows[1].cells[i]?.pValue, m.adjustedPValue)
        }
        // Without roles (no compare, no --target): no TI/BWT, and the significance of a row
        // without samples is unknown.
        let noRoles = try LeaderboardBuilder().build(try LeaderboardSource.discover([work.appendingPathComponent("runs/tuned").path,
                                                                                      work.appendingPathComponent("runs/base").path]))
        XCTAssertFalse(noRoles.tables[0].rolesKnown)
        XCTAssertNil(noRoles.tables[0].rows[1].backwardTransfer)
        XCTAssertEqual(LeaderboardReport.delta(LeaderboardCell(value: 0.5, interval95: nil, items: 3, delta: -2, deltaInPoints: true, deltaInterval95: nil,
                                                               pValue: nil, test: nil, rightToWrong: nil, wrongToRight: nil)), "-2.0 pts ?")
    }

    func testRowsWhoseTaskHashesDifferGoToASeparateTableThatSaysWhy() throws {
        _ = try writeTrio()
        try ConstructedRuns.write(model: "c", source: "models/other", tasks: [
            .init(name: "skill", contentHash: "hash-2", correct: ConstructedRuns.outcomes(80, p: 0.8, seed: 5)),
        ], to: work.appendingPathComponent("runs/other"))
        let board = try LeaderboardBuilder().build(try LeaderboardSource.discover([work.appendingPathComponent("runs").path]))
        XCTAssertEqual(board.tables.count, 2)
        XCTAssertEqual(board.tables[1].rows.map(\.label), ["other"])
        let why = try XCTUnwrap(board.tables[1].separation)
        XCTAssertTrue(why.contains("task skill differs") && why.contains("hash-1") && why.contains("hash-2"), why)
        let md = LeaderboardReport.markdown(board)
        XCTAssertTrue(md.contains("## Table 2"), md)
        XCTAssertTrue(md.contains("not put side by side"), md)
    }

    func testFilesAreDeterministicWhateverTheOrderOfTheInputs() throws {
        _ = try writeTrio()
        let runs = work.appendingPathComponent("runs")
        let paths = ["base", "tuned", "compare"].map { runs.appendingPathComponent($0).path }
        try LeaderboardReport.write(try LeaderboardBuilder().build(try LeaderboardSource.discover(paths)), to: work.appendingPathComponent("one"))
        try LeaderboardReport.write(try LeaderboardBuilder().build(try LeaderboardSource.discover(paths.reversed())), to: work.appendingPathComponent("two"))
        for file in ["leaderboard.md", "leaderboard.json", "index.html", "tradeoff-1.svg"] {
            let a = try Data(contentsOf: work.appendingPathComponent("one/\(file)"))
            let b = try Data(contentsOf: work.appendingPathComponent("two/\(file)"))
            XCTAssertEqual(a, b, file)
            XCTAssertFalse(a.isEmpty, file)
        }
    }

    func testBaseOptionPicksARowOrSaysWhichRowsExist() throws {
        _ = try writeTrio()
        let sources = try LeaderboardSource.discover([work.appendingPathComponent("runs").path])
        let board = try LeaderboardBuilder(baseName: "tuned").build(sources)
        XCTAssertEqual(board.tables[0].rows.first?.label, "tuned")
        XCTAssertEqual(board.tables[0].baseReason, "chosen with --base")
        XCTAssertEqual(try LeaderboardBuilder(baseName: "bbbbbbbb").build(sources).tables[0].rows.first?.label, "tuned")
        XCTAssertThrowsError(try LeaderboardBuilder(baseName: "nope").build(sources)) {
            XCTAssertEqual("\($0)", "--base nope names no row; rows: base, tuned")
        }
        XCTAssertThrowsError(try LeaderboardSource.discover([work.appendingPathComponent("missing").path])) {
            XCTAssertTrue("\($0)".hasSuffix("missing: no such file or directory"), "\($0)")
        }
        let broken = work.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try Data("{\"settings\": {}, \"model\": 1}".utf8).write(to: broken.appendingPathComponent("results.json"))
        XCTAssertThrowsError(try LeaderboardSource.discover([broken.path])) {
            XCTAssertTrue("\($0)".hasPrefix("\(broken.path)/results.json: not a ForgetBench results file"), "\($0)")
        }
        try Data("{".utf8).write(to: broken.appendingPathComponent("results.json"))
        XCTAssertThrowsError(try LeaderboardSource.discover([broken.path])) {
            XCTAssertTrue("\($0)".hasPrefix("\(broken.path)/results.json: not JSON (line 1, column "), "\($0)")
            XCTAssertTrue("\($0)".hasSuffix("; expected the results.json of 'forgetbench eval' or 'run')"), "\($0)")
        }
        let empty = work.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertThrowsError(try LeaderboardSource.discover([empty.path])) {
            XCTAssertTrue("\($0)".contains("holds no output of 'forgetbench eval', 'compare' or 'run'"), "\($0)")
        }
    }

    /// The committed quickstart report (results.json, which records its tasks' content hashes):
    /// one table of the base and its 15 candidates, with the recorded comparisons' numbers.
    func testTheCommittedQuickstartRunIsALeaderboard() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let quickstart = root.appendingPathComponent("reports/quickstart")
        let results = try RunDirectory.decoder().decode(ExperimentResults.self, from: Data(contentsOf: quickstart.appendingPathComponent("results.json")))
        let board = try LeaderboardBuilder().build(try LeaderboardSource.discover([quickstart.path]))
        XCTAssertEqual(board.tables.count, 1)
        let table = board.tables[0]
        let candidates = results.regimes.flatMap { r in r.candidates.map { (r.regime, $0) } }
        XCTAssertEqual(table.rows.count, 1 + candidates.count)
        XCTAssertEqual(table.rows[0].label, "quickstart: base")
        XCTAssertEqual(table.baseReason, "the base of \(candidates.count) comparisons in the inputs; choose another with --base")
        XCTAssertEqual(table.tasks.first?.name, "toy_subtract")
        for (row, (regime, c)) in zip(table.rows.dropFirst(), candidates) {
            XCTAssertEqual(row.label, "quickstart: \(regime) seed \(c.seed)")
            XCTAssertEqual(row.targetImprovement!, c.comparison.deltas.targetImprovement!, accuracy: 1e-9)
            XCTAssertEqual(row.backwardTransfer!, c.comparison.deltas.backwardTransfer!, accuracy: 1e-9)
            for (i, task) in table.tasks.enumerated() {
                let m = c.comparison.tasks.first { $0.name == task.name }!.metrics[0]
                XCTAssertEqual(row.cells[i]?.pValue, m.adjustedPValue)
                XCTAssertEqual(row.cells[i]!.delta!, m.differencePoints!, accuracy: 1e-9)
            }
        }
        XCTAssertNotNil(table.tradeoffSVG)
    }

    /// Task names and answers that are markup, table syntax or CDATA ends stay text in every output.
    func testHostileNamesAndAnswersAreEscapedInMarkdownXMLAndHTML() throws {
        let hostileTask = "<img src=x onerror=alert(1)>|`x`"
        let hostileAnswer = "</script><script>alert(2)</script> | `tick` ]]> & <!--"
        let before = [true, true, false, true, false, true]
        let after = [false, true, true, false, false, true]
        let base = try ConstructedRuns.write(model: "a", source: "<b>base</b>", tasks: [
            .init(name: hostileTask, correct: before, answers: before.map { _ in hostileAnswer }, prompts: before.indices.map { "Q: ]]> <script>\($0)</script>\nA:" }),
        ], to: work.appendingPathComponent("runs/base"))
        let tuned = try ConstructedRuns.write(model: "b", source: "tuned|model", tasks: [
            .init(name: hostileTask, correct: after, answers: after.map { _ in hostileAnswer }, prompts: before.indices.map { "Q: ]]> <script>\($0)</script>\nA:" }),
        ], to: work.appendingPathComponent("runs/tuned"))
        let comparison = try Comparator(targetTasks: [], gates: GateConfiguration()).compare(base: base, candidate: tuned)
        let compareDir = work.appendingPathComponent("runs/compare")
        try ComparisonReport.write(comparison, to: compareDir)
        let out = work.appendingPathComponent("site")
        try LeaderboardReport.write(try LeaderboardBuilder().build(try LeaderboardSource.discover([work.appendingPathComponent("runs").path])), to: out)

        // Markdown (compare's report and the leaderboard): no raw tag, and every table row keeps its cell count.
        for url in [compareDir.appendingPathComponent("report.md"), out.appendingPathComponent("leaderboard.md")] {
            let md = try String(contentsOf: url, encoding: .utf8)
            // Outside code spans (whose content GFM shows literally) no tag can start.
            let outside = Self.outsideCodeSpans(md)
            XCTAssertFalse(outside.contains("<img"), url.lastPathComponent)
            XCTAssertFalse(outside.contains("<script"), url.lastPathComponent)
            XCTAssertFalse(outside.contains("</script"), url.lastPathComponent)
            XCTAssertTrue(md.contains("``</script><script>alert(2)</script> \\| `tick` ]]> & <!--``") || url.lastPathComponent == "leaderboard.md",
                          "the answer is a code span fenced past its backticks: \(md)")
            XCTAssertTrue(md.contains("&lt;img src=x onerror=alert(1)&gt;\\|"), url.lastPathComponent)
            var columns: Int?
            for line in md.split(separator: "\n") {
                guard line.hasPrefix("|") else { columns = nil; continue }
                let separators = Self.unescapedPipes(line)
                if let columns { XCTAssertEqual(separators, columns, "\(url.lastPathComponent): \(line)") } else { columns = separators }
            }
        }
        // JUnit: well-formed, the name comes back unchanged.
        let junit = try XMLDocument(data: Data(contentsOf: compareDir.appendingPathComponent("junit.xml")))
        let testcase = try XCTUnwrap(try junit.nodes(forXPath: "//testcase").first as? XMLElement)
        XCTAssertEqual(testcase.attribute(forName: "name")?.stringValue, "\(hostileTask) exact_match")
        // HTML: exactly our two script elements; the data island has no '<' and decodes to the original text.
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertEqual(html.components(separatedBy: "</script>").count - 1, 2)
        XCTAssertEqual(html.components(separatedBy: "<script").count - 1, 2)
        XCTAssertFalse(html.contains("<img"))
        let island = try XCTUnwrap(html.range(of: "<script type=\"application/json\" id=\"leaderboard-data\">").flatMap { start in
            html.range(of: "</script>", range: start.upperBound ..< html.endIndex).map { String(html[start.upperBound ..< $0.lowerBound]) }
        })
        XCTAssertFalse(island.contains("<") || island.contains(">") || island.contains("&"))
        let decoded = try JSONDecoder().decode(Leaderboard.self, from: Data(island.utf8))
        XCTAssertEqual(decoded.tables[0].tasks[0].name, hostileTask)
        XCTAssertEqual(decoded.tables[0].pairs[0].tasks[0].flips?.first?.baseAnswer, hostileAnswer)
        XCTAssertEqual(decoded.tables[0].pairs[0].tasks[0].flips?.first?.prompt, "Q: ]]> <script>0</script>")
    }

    /// `markdown` without the content of its code spans (a backtick run not escaped by a
    /// backslash opens one, the next run of the same length closes it).
    static func outsideCodeSpans(_ markdown: String) -> String {
        var out = ""
        let chars = Array(markdown)
        var i = 0
        while i < chars.count {
            if chars[i] == "\\", i + 1 < chars.count { out.append(chars[i]); out.append(chars[i + 1]); i += 2; continue }
            guard chars[i] == "`" else { out.append(chars[i]); i += 1; continue }
            var n = 0
            while i + n < chars.count, chars[i + n] == "`" { n += 1 }
            var j = i + n, closed: Int?
            while j < chars.count {
                if chars[j] == "`" {
                    var m = 0
                    while j + m < chars.count, chars[j + m] == "`" { m += 1 }
                    if m == n { closed = j; break }
                    j += m
                } else { j += 1 }
            }
            guard let end = closed else { out.append(contentsOf: chars[i ..< i + n]); i += n; continue }
            i = end + n
        }
        return out
    }

    /// `|` characters not preceded by an odd number of backslashes.
    static func unescapedPipes(_ line: Substring) -> Int {
        var count = 0, backslashes = 0
        for c in line {
            if c == "|", backslashes % 2 == 0 { count += 1 }
            backslashes = c == "\\" ? backslashes + 1 : 0
        }
        return count
    }
}
