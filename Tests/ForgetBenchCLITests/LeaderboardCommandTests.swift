import Foundation
import TestSupport
import XCTest

/// `forgetbench leaderboard` end to end: a small run and two eval outputs of the toy world make one
/// page, checked in headless Chromium after its script ran (rows, sorting through the query
/// string, expanded details); hostile task names and answers stay text in the browser's DOM.
final class LeaderboardCommandTests: XCTestCase {
    var work: URL!
    override func setUpWithError() throws { work = try scratchDirectory(prefix: "forgetbench-cli") }

    /// `<tr class="row…" data-row="rN">` in document order.
    static func rowIDs(_ dom: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: #"<tr class="row[^"]*" data-row="([^"]+)""#)
        return regex.matches(in: dom, range: NSRange(dom.startIndex..., in: dom)).map { String(dom[Range($0.range(at: 1), in: dom)!]) }
    }

    func testRunAndTwoEvalsRenderInABrowserSortedThroughTheQueryString() throws {
        let fixture = try PublishFixture.get()
        print("publish fixture (run + 2 evals): \(String(format: "%.1f", fixture.seconds)) s")
        let site = work.appendingPathComponent("site")
        let r = try CLI.run(["leaderboard", fixture.run.path, fixture.work.appendingPathComponent("evals").path, "--output", site.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("table 1: 3 rows × 3 tasks"), r.stdout)

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: site.appendingPathComponent("leaderboard.json"))) as! [String: Any]
        let tables = json["tables"] as! [[String: Any]]
        XCTAssertEqual(tables.count, 1)
        let rows = tables[0]["rows"] as! [[String: Any]]
        let tasks = (tables[0]["tasks"] as! [[String: Any]]).map { $0["name"] as! String }
        XCTAssertEqual(tasks, ["toy_subtract", "toy_facts", "toy_reverse"])
        // The run's base and the base's eval output are one row (the eval's label); the candidate's
        // eval on 16 items is a row of its own.
        XCTAssertEqual(rows.map { $0["label"] as! String }, ["toy-base", "ground-truth-16", "publish: ground-truth seed 1"])
        XCTAssertEqual((rows[0]["sources"] as! [String]).count, 2)
        // The eval of the candidate is paired with the base through both rows' samples.
        let pairs = tables[0]["pairs"] as! [[String: Any]]
        XCTAssertEqual(pairs.map { $0["source"] as! String }.sorted(), ["paired test of two eval outputs", "run output \(fixture.run.path)"])

        let page = site.appendingPathComponent("index.html")
        let dom = try Chromium.dumpDOM(page)
        XCTAssertTrue(dom.contains("data-ready=\"true\""), "the page's script did not finish")
        XCTAssertEqual(Self.rowIDs(dom), ["r1", "r2", "r3"])
        XCTAssertEqual(dom.components(separatedBy: "<th ").count - 1, 1 + 3 + 2 + 1, "columns: model, 3 tasks, TI, BWT, fingerprint")

        // Sorting by a task's score, descending, as a click on its header would.
        func expected(_ task: Int, descending: Bool) -> [String] {
            let keyed = rows.enumerated().map { (i, r) -> (Int, String, Double?) in
                let cell = (r["cells"] as! [Any])[task] as? [String: Any]
                return (i, r["id"] as! String, cell?["value"] as? Double)
            }
            return keyed.sorted { a, b in
                switch (a.2, b.2) {
                case let (x?, y?) where x != y: return descending ? x > y : x < y
                case (nil, _?): return false
                case (_?, nil): return true
                default: return a.0 < b.0
                }
            }.map(\.1)
        }
        for (column, task, descending) in [("task:toy_subtract", 0, true), ("task:toy_reverse", 2, false)] {
            let sorted = try Chromium.dumpDOM(page, query: "sort=\(column)&dir=\(descending ? "desc" : "asc")")
            XCTAssertTrue(sorted.contains("data-sort=\"\(column):\(descending ? "desc" : "asc")\""))
            XCTAssertEqual(Self.rowIDs(sorted), expected(task, descending: descending), column)
            XCTAssertTrue(sorted.contains("aria-sort=\"\(descending ? "descending" : "ascending")\""))
        }
        let byLabel = try Chromium.dumpDOM(page, query: "sort=model&dir=asc")
        XCTAssertEqual(Self.rowIDs(byLabel), ["r2", "r3", "r1"])
        // The filter box hides what does not match.
        let filtered = try Chromium.dumpDOM(page, query: "filter=ground-truth-16")
        XCTAssertEqual(filtered.components(separatedBy: "<tr class=\"row\" data-row=\"r2\">").count, 2)
        XCTAssertEqual(filtered.components(separatedBy: "data-row=\"r1\" hidden").count, 2)
        XCTAssertEqual(filtered.components(separatedBy: "data-row=\"r3\" hidden").count, 2)

        // A screenshot with the candidate's row expanded and the flips open, to look at.
        let shots = ProcessInfo.processInfo.environment["FORGETBENCH_SCREENSHOT_DIR"].map(URL.init(fileURLWithPath:)) ?? work!
        try FileManager.default.createDirectory(at: shots, withIntermediateDirectories: true)
        let png = shots.appendingPathComponent("leaderboard.png")
        try Chromium.screenshot(page, query: "expand=r3&open=flips", to: png)
        let header = try Data(contentsOf: png).prefix(8)
        XCTAssertEqual(Array(header), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        print("screenshot: \(png.path)")
    }

    /// The committed quickstart report (which records its tasks' content hashes) and two eval
    /// outputs of toy tasks with the same hashes: one table, every row in the browser's DOM, the
    /// quickstart's base chosen as the base of its 15 comparisons.
    func testCommittedQuickstartAndTwoEvalsRenderInOneTable() throws {
        let fixture = try PublishFixture.get()
        let site = work.appendingPathComponent("site")
        let quickstart = CLI.repositoryRoot.appendingPathComponent("reports/quickstart")
        let r = try CLI.run(["leaderboard", quickstart.path, fixture.evalBase.path, fixture.evalCandidate.path, "--output", site.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("table 1: 18 rows × 6 tasks"), r.stdout)
        XCTAssertFalse(r.stdout.contains("table 2"), r.stdout)
        let dom = try Chromium.dumpDOM(site.appendingPathComponent("index.html"))
        XCTAssertTrue(dom.contains("data-ready=\"true\""), "the page's script did not finish")
        XCTAssertEqual(Self.rowIDs(dom), (1 ... 18).map { "r\($0)" })
        XCTAssertFalse(dom.contains("data-table=\"2\""))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: site.appendingPathComponent("leaderboard.json"))) as! [String: Any]
        let tables = json["tables"] as! [[String: Any]]
        XCTAssertEqual(tables.count, 1)
        XCTAssertEqual(((tables[0]["rows"] as! [[String: Any]])[0]["label"] as! String), "quickstart: base")
        XCTAssertEqual(tables[0]["baseReason"] as? String, "the base of 15 comparisons in the inputs; choose another with --base")
    }

    /// A task named `<img src=x onerror=alert(1)>` and answers holding `</script>` render as text.
    func testHostileTaskNamesAndAnswersRenderAsText() throws {
        let task = "<img src=x onerror=alert(1)>"
        let answer = "</script><script>document.documentElement.setAttribute('data-pwned','1')</script>"
        func write(_ name: String, letter: Character, correct: [Bool]) throws -> URL {
            let dir = work.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("samples"), withIntermediateDirectories: true)
            let mean = Double(correct.filter { $0 }.count) / Double(correct.count)
            let results: [String: Any] = [
                "schemaVersion": 1, "harnessVersion": "0.1.0",
                "model": ["source": "<b>\(name)</b>", "engine": "native", "fingerprint": ["sha256": String(repeating: letter, count: 64), "files": ["m"]]],
                "settings": ["tasks": [task], "seed": 1],
                "tasks": [["name": task, "version": "1", "contentHash": "h", "outputType": "generate_until", "itemCount": correct.count,
                           "metrics": [["name": "exact_match", "polarity": "higher", "aggregation": "mean", "value": mean]]]],
                "timings": ["totalSeconds": 0, "taskSeconds": [String: Double]()],
            ]
            try JSONSerialization.data(withJSONObject: results).write(to: dir.appendingPathComponent("results.json"))
            var lines = ""
            for (i, ok) in correct.enumerated() {
                let record: [String: Any] = [
                    "id": "\(i)", "promptSHA256": "p\(i)", "target": "]]> `t` | \(task)", "prompt": "Q: \(task) </script> \(i)\nA:",
                    "response": ["type": "generation", "generation": ["text": answer, "tokenCount": 1, "finishReason": "stop"]],
                    "extractedAnswer": answer, "values": ["exact_match": ok ? 1 : 0],
                ]
                lines += String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self) + "\n"
            }
            try Data(lines.utf8).write(to: dir.appendingPathComponent("samples/\(task).jsonl"))
            return dir
        }
        let base = try write("base", letter: "a", correct: [true, true, false, true, false, true, true, true])
        let tuned = try write("tuned", letter: "b", correct: [false, true, true, false, false, true, false, true])
        let compare = try CLI.run(["compare", base.path, tuned.path, "--output", work.appendingPathComponent("compare").path])
        XCTAssertTrue([0, 2].contains(compare.status), compare.stderr)
        let site = work.appendingPathComponent("site")
        let r = try CLI.run(["leaderboard", work.path, "--output", site.path])
        XCTAssertEqual(r.status, 0, r.stderr)

        let dom = try Chromium.dumpDOM(site.appendingPathComponent("index.html"), query: "expand=r2&open=flips")
        XCTAssertTrue(dom.contains("data-ready=\"true\""), "the page's script did not finish")
        XCTAssertFalse(dom.contains("<img"), "an <img> element was created")
        XCTAssertFalse(dom.contains("<b>"), "a <b> element was created")
        XCTAssertFalse(dom.contains("data-pwned=\"1\""), "injected script ran")
        XCTAssertEqual(dom.components(separatedBy: "<script").count - 1, 2, "only the page's two scripts")
        XCTAssertTrue(dom.contains("&lt;img src=x onerror=alert(1)&gt;"), "the task name is shown as text")
        XCTAssertTrue(dom.contains("&lt;/script&gt;&lt;script&gt;document.documentElement"), "the answer is shown as text")
        XCTAssertEqual(Self.rowIDs(dom), ["r1", "r2"])
        // Defence in depth: the page's Content-Security-Policy lets only its own script run, so
        // markup injected anyway (here, by editing the file) could not execute.
        let tampered = site.appendingPathComponent("tampered.html")
        let html = try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8)
        try Data(html.replacingOccurrences(of: "</main>", with: "</main><script>document.documentElement.setAttribute('data-injected','1')</script><img src=x onerror=\"document.documentElement.setAttribute('data-onerror','1')\">").utf8).write(to: tampered)
        let tamperedDOM = try Chromium.dumpDOM(tampered)
        XCTAssertTrue(tamperedDOM.contains("data-ready=\"true\""), "the page's own script must still run")
        XCTAssertFalse(tamperedDOM.contains("data-injected=\"1\""), "an injected inline script ran")
        XCTAssertFalse(tamperedDOM.contains("data-onerror=\"1\""), "an injected event handler ran")
        // Every flip is listed (2 right → wrong... as compare found them).
        let comparison = try JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("compare/comparison.json"))) as! [String: Any]
        let metric = ((comparison["tasks"] as! [[String: Any]])[0]["metrics"] as! [[String: Any]])[0]
        let flips = (metric["flips"] as! [Any]).count
        XCTAssertEqual(flips, (metric["baseOnlyCorrect"] as! Int) + (metric["candidateOnlyCorrect"] as! Int))
        XCTAssertEqual(dom.components(separatedBy: "<tr class=\"flip\"").count - 1, flips)
    }
}
