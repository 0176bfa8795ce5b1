import Foundation
import Harness
import TestSupport
import XCTest

/// The one JSON Lines reader and writer: errors name the file and the line; writes are atomic and
/// create their directory; what is written reads back.
final class JSONLinesTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try scratchDirectory(prefix: "forgetbench-harness") }

    func testErrorsNameTheFileAndTheLine() throws {
        let url = dir.appendingPathComponent("data.jsonl")
        try Data("{\"a\": 1}\n\n  \n{\"a\": 2\n[1]\n".utf8).write(to: url)
        XCTAssertThrowsError(try JSONLines.readObjects(path: url.path)) { error in
            XCTAssertEqual((error as? FileError)?.line, 4)
            XCTAssertTrue("\(error)".hasPrefix("\(url.path):4: not valid JSON at column 8: "), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix(" (expected one JSON object per line)"), "\(error)")
        }
        try Data("{\"a\": 1}\n\n[1]\n".utf8).write(to: url)
        XCTAssertThrowsError(try JSONLines.readObjects(path: url.path)) { error in
            XCTAssertEqual((error as? FileError)?.line, 3)
            XCTAssertEqual("\(error)", "\(url.path):3: expected a JSON object, found a list")
        }
        XCTAssertThrowsError(try JSONLines.readObjects(path: dir.appendingPathComponent("missing.jsonl").path)) { error in
            XCTAssertEqual("\(error)", "\(dir.appendingPathComponent("missing.jsonl").path): cannot read the file")
        }
        try Data([0x7B, 0xFF, 0x7D, 0x0A]).write(to: url)
        XCTAssertThrowsError(try JSONLines.lines(path: url.path)) { XCTAssertEqual(($0 as? FileError)?.problem, "not UTF-8 text") }
    }

    func testBlankLinesAreSkippedAndNumbersKept() throws {
        let url = dir.appendingPathComponent("data.jsonl")
        try Data("\n{\"id\": \"x\"}\r\n   \n{\"id\": \"y\"}".utf8).write(to: url)
        let objects = try JSONLines.readObjects(path: url.path)
        XCTAssertEqual(objects.map(\.line), [2, 4])
        XCTAssertEqual(objects.map { $0.object["id"]?.stringValue }, ["x", "y"])
    }

    func testWriteIsOneSortedLinePerValueAndCreatesTheDirectory() throws {
        struct Row: Codable, Equatable { var b: Int; var a: String }
        let url = dir.appendingPathComponent("nested/deeper/out.jsonl")
        let rows = [Row(b: 1, a: "x/y"), Row(b: 2, a: "é\n")]
        try JSONLines.write(rows, to: url)
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(text, "{\"a\":\"x/y\",\"b\":1}\n{\"a\":\"é\\n\",\"b\":2}\n")
        let back = try JSONLines.lines(path: url.path).lines.map { try JSONDecoder().decode(Row.self, from: Data($0.text.utf8)) }
        XCTAssertEqual(back, rows)
        // Rewriting replaces the whole file and leaves no temporary file beside it.
        try JSONLines.write([Row(b: 3, a: "z")], to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "{\"a\":\"z\",\"b\":3}\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path), ["out.jsonl"])
    }

    func testAtomicFileRefusesAMissingDirectoryNamingThePath() {
        let url = dir.appendingPathComponent("absent/file.json")
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: url)) { error in
            XCTAssertEqual((error as? FileError)?.path, url.path)
            XCTAssertTrue("\(error)".hasPrefix("\(url.path): cannot write here"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }
}
