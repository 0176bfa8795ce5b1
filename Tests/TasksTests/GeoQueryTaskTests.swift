import Foundation
import Harness
import SQLExecution
@testable import Tasks
import XCTest

/// GeoQuery by execution: the gold SQL scores 100% against itself, perturbed SQL fails, and SQL
/// that would write, attach, change settings or load code is refused with the file unchanged.
final class GeoQueryTaskTests: XCTestCase {
    func task() throws -> YAMLTask {
        try XCTUnwrap(YAMLTaskProvider(directories: [Paths.shippedTasks], dataRoot: try Paths.sharedData()).yamlTask(named: "geoquery"))
    }

    func generation(_ text: String) -> ModelResponse {
        .generation(GenerationResponse(text: text, tokenCount: 1, finishReason: .stop))
    }

    func testGoldSQLScoresFullMarksOnTheTestSplit() throws {
        let task = try task()
        let items = try task.renderInstances(limit: nil, seed: 0)
        XCTAssertEqual(items.count, 279)
        XCTAssertEqual(items[0].target, #"SELECT CITYalias0.CITY_NAME FROM CITY AS CITYalias0 WHERE CITYalias0.POPULATION = ( SELECT MAX( CITYalias1.POPULATION ) FROM CITY AS CITYalias1 WHERE CITYalias1.STATE_NAME = "kansas" ) AND CITYalias0.STATE_NAME = "kansas" ;"#)
        XCTAssertTrue(items[0].prompt.hasSuffix("Question: what is the biggest city in kansas\nSQL:"))
        XCTAssertEqual(items[0].prompt.components(separatedBy: "Question: ").count, 5, "schema, 3 shots and the item")
        XCTAssertEqual(items[0].prompt.components(separatedBy: "\nSQL: SELECT").count, 4, "each shot shows one query")
        let database = try XCTUnwrap(task.databases["execution_accuracy"])
        var canonicalFails = 0
        for item in items {
            // The gold query the scorer uses: the first of the item's equivalent queries that runs.
            let golds = item.target.split(separator: "\n").map(String.init)
            if database.run(golds[0]).rows == nil { canonicalFails += 1 }
            let gold = try XCTUnwrap(golds.first { database.run($0).rows != nil }, item.id)
            let score = task.score(item, response: generation(" " + gold))
            XCTAssertEqual(score.values["execution_accuracy"], 1, "\(item.id): \(score.outcome ?? "")")
            XCTAssertEqual(score.outcome, "correct")
            XCTAssertEqual(score.extractedAnswer, gold)
        }
        // text2sql-data's canonical query of one entry (2 test questions) names a column of a
        // derived table SQLite does not have; its alternative runs.
        XCTAssertEqual(canonicalFails, 2)
    }

    func testPerturbedQueriesFail() throws {
        let task = try task()
        let items = try task.renderInstances(limit: nil, seed: 0)
        let first = items[0]
        let flipped = task.score(first, response: generation(first.target.replacingOccurrences(of: "MAX(", with: "MIN(")))
        XCTAssertEqual(flipped.values["execution_accuracy"], 0)
        XCTAssertEqual(flipped.outcome, "wrong_result")
        let otherState = task.score(first, response: generation(first.target.replacingOccurrences(of: "kansas", with: "texas")))
        XCTAssertEqual(otherState.outcome, "wrong_result")
        let broken = task.score(first, response: generation("SELECT CITY_NAME FROM CITY WHERE"))
        XCTAssertEqual(broken.values["execution_accuracy"], 0)
        XCTAssertTrue(broken.outcome?.hasPrefix("error:") ?? false, broken.outcome ?? "")
        XCTAssertEqual(task.score(first, response: generation("   ")).outcome, "no_answer")
        // Most MAX → MIN flips change the answer (a few questions have one candidate row).
        let withMax = items.filter { $0.target.contains("MAX(") }
        let failing = withMax.filter { task.score($0, response: generation($0.target.replacingOccurrences(of: "MAX(", with: "MIN("))).values["execution_accuracy"] == 0 }
        XCTAssertGreaterThan(Double(failing.count), 0.8 * Double(withMax.count))
    }

    func testHostileQueriesAreRefusedAndTheDatabaseIsUnchanged() throws {
        let original = try Paths.sharedData().appendingPathComponent("geoquery/geography.sqlite")
        // A writable copy, so that only our guards (not file permissions) stand in the way.
        let dir = try TemporaryDirectory()
        let copy = dir.url.appendingPathComponent("geo.sqlite")
        try FileManager.default.copyItem(at: original, to: copy)
        let before = try ContentHash.sha256(fileAt: copy)
        let originalBefore = try ContentHash.sha256(fileAt: original)
        let attached = dir.url.appendingPathComponent("attached.db").path
        let database = try ReadOnlySQLDatabase(path: copy.path)
        let hostile: [(String, String)] = [
            ("DELETE FROM city", "refused: writing (DELETE from city)"),
            ("DELETE FROM city WHERE 1 ;", "refused: writing (DELETE from city)"),
            ("INSERT INTO city VALUES ('x', 1, 'usa', 'y')", "refused: writing (INSERT into city)"),
            ("UPDATE state SET population = 0", "refused: writing (UPDATE of state)"),
            ("DROP TABLE city", "refused: changing the schema (a write to sqlite_master)"),
            ("CREATE TABLE t (x)", "refused: changing the schema (a write to sqlite_master)"),
            ("CREATE TEMP TABLE t (x)", "refused: changing the schema (a write to sqlite_temp_master)"),
            ("ATTACH DATABASE '\(attached)' AS other", "refused: attaching a database (ATTACH)"),
            ("PRAGMA writable_schema = 1", "refused: a PRAGMA (writable_schema = 1)"),
            ("PRAGMA query_only = 0", "refused: a PRAGMA (query_only = 0)"),
            ("SELECT load_extension('/tmp/evil.so')", "refused: loading an extension (load_extension)"),
            ("SELECT 1; DELETE FROM city", "refused: more than one statement"),
            ("BEGIN", "refused: a transaction statement"),
        ]
        for (sql, expected) in hostile {
            let r = ItemMetrics.sqlExecution(response: sql, targetSQL: "SELECT count(*) FROM city", filters: [.trim], database: database)
            XCTAssertEqual(r.score, 0, sql)
            XCTAssertEqual(r.outcome, expected, sql)
        }
        // VACUUM INTO would write a new file; it is refused too (SQLite reports it as an error or a denial).
        XCTAssertNil(database.run("VACUUM INTO '\(dir.url.appendingPathComponent("v.db").path)'").rows)
        XCTAssertEqual(try ContentHash.sha256(fileAt: copy), before)
        XCTAssertEqual(try ContentHash.sha256(fileAt: original), originalBefore)
        XCTAssertFalse(FileManager.default.fileExists(atPath: attached))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("v.db").path))
        XCTAssertEqual(database.run("SELECT count(*) FROM city").rows, [[.integer(386)]])
    }

    func testARunawayQueryIsInterruptedAtTheTimeLimit() throws {
        let path = try Paths.sharedData().appendingPathComponent("geoquery/geography.sqlite").path
        let database = try ReadOnlySQLDatabase(path: path, limits: SQLExecutionLimits(timeLimit: 0.2))
        let start = Date()
        let outcome = database.run("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c")
        XCTAssertEqual(outcome, .timedOut)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertEqual(ItemMetrics.describe(outcome), "timeout")
    }

    func testAHugeValueIsAnErrorNotAGigabyte() throws {
        let path = try Paths.sharedData().appendingPathComponent("geoquery/geography.sqlite").path
        let database = try ReadOnlySQLDatabase(path: path)
        guard case let .error(message) = database.run("SELECT length(randomblob(1000000000))") else {
            return XCTFail("a 1 GB blob was built")
        }
        XCTAssertTrue(message.contains("too big"), message)
        XCTAssertEqual(database.run("SELECT length(randomblob(1000))").rows, [[.integer(1000)]])
    }

    func testTheRowCap() throws {
        let path = try Paths.sharedData().appendingPathComponent("geoquery/geography.sqlite").path
        let capped = try ReadOnlySQLDatabase(path: path, limits: SQLExecutionLimits(maxRows: 10))
        XCTAssertEqual(capped.run("SELECT * FROM city"), .rowLimit)
        XCTAssertEqual(capped.run("SELECT * FROM city LIMIT 10").rows?.count, 10)
    }

    func testResultsCompareAsMultisets() {
        let a: [[SQLValue]] = [[.text("a"), .integer(1)], [.text("b"), .integer(2)], [.text("b"), .integer(2)]]
        XCTAssertTrue(SQLResultComparison.sameMultiset(a, [a[2], a[0], a[1]]), "order does not matter")
        XCTAssertFalse(SQLResultComparison.sameMultiset(a, [a[0], a[1]]), "duplicates do")
        XCTAssertFalse(SQLResultComparison.sameMultiset([[.text("a"), .integer(1)]], [[.integer(1), .text("a")]]), "column order does")
        XCTAssertEqual(SQLValue.number(5.0), .integer(5))
        XCTAssertEqual(SQLValue.number(2.5), .real(2.5))
    }

    func testAMissingOrBadDatabaseIsAClearError() throws {
        XCTAssertThrowsError(try ReadOnlySQLDatabase(path: "/nonexistent/geo.sqlite")) { error in
            XCTAssertEqual("\(error)", "/nonexistent/geo.sqlite: cannot open as a read-only SQLite database: no such file")
        }
        let dir = try TemporaryDirectory()
        let text = try dir.write("not.sqlite", "hello, I am not a database")
        XCTAssertThrowsError(try ReadOnlySQLDatabase(path: text.path)) { error in
            XCTAssertTrue("\(error)".contains("not.sqlite: cannot open as a read-only SQLite database"), "\(error)")
        }
    }
}
