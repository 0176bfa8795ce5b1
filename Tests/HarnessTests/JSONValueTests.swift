import Foundation
@testable import Harness
import XCTest

final class JSONValueTests: XCTestCase {
    func testParsesEveryKindAndEscape() throws {
        let value = try JSONValue.parse(Data(#"{"a": [1, -2.5e1, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"], "b": {}}"#.utf8))
        let array = try XCTUnwrap(value["a"]?.arrayValue)
        XCTAssertEqual(array[0].intValue, 1)
        XCTAssertEqual(array[1].doubleValue, -25)
        XCTAssertNil(array[1].intValue)
        XCTAssertEqual(array[2].boolValue, true)
        XCTAssertEqual(array[3].boolValue, false)
        XCTAssertEqual(array[4], .null)
        XCTAssertEqual(array[5].stringValue, "x\"\\/\u{8}\u{c}\n\r\té😀")
        XCTAssertEqual(value["b"]?.objectValue?.count, 0)
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "\"abc", "tru", "[1] x", "{\"a\": 01x}", "1.", "-", "\"\\q\""] {
            XCTAssertThrowsError(try JSONValue.parse(Data(bad.utf8)), bad)
        }
    }

    func testNumbersKeepTheirTextAndObjectsTheirOrder() throws {
        let text = #"{"z":1.50,"a":[1e3,-0,12345678901234567890],"m":0.1}"#
        let value = try JSONValue.parse(Data(text.utf8))
        XCTAssertEqual(value.compactJSON, text)
        XCTAssertEqual(value.canonicalJSON, #"{"a":[1e3,-0,12345678901234567890],"m":0.1,"z":1.50}"#)
        XCTAssertEqual(value["z"], .number("1.50"))
        XCTAssertNil(value["a"]?.arrayValue?[2].intValue, "too large for Int")
        XCTAssertEqual(JSONValue.double(2).compactJSON, "2.0")
        XCTAssertEqual(JSONValue.double(-0.5).compactJSON, "-0.5")
        XCTAssertEqual(JSONValue.double(.nan), .null)
        XCTAssertEqual(JSONValue.int(-3).compactJSON, "-3")
    }

    func testKeysCompareByteForByte() throws {
        // "é" precomposed and decomposed are equal Swift strings but distinct JSON keys.
        let value = try JSONValue.parse(Data("{\"\u{E9}\": 1, \"e\u{301}\": 2, \"k\": 3, \"k\": 4}".utf8))
        let object = try XCTUnwrap(value.objectValue)
        XCTAssertEqual(object.count, 4)
        XCTAssertEqual(object["\u{E9}"], .number("1"))
        XCTAssertEqual(object["e\u{301}"], .number("2"))
        XCTAssertEqual(object["k"], .number("4"), "the last duplicate wins, as in Python's json")
        var edited = object
        edited["\u{E9}"] = .bool(true)
        edited["new"] = .null
        edited["k"] = nil
        XCTAssertEqual(JSONValue.object(edited).compactJSON, "{\"\u{E9}\":true,\"e\u{301}\":2,\"new\":null}")
    }

    func testErrorsNameLineAndColumn() throws {
        let text = "{\n  \"a\": 1,\n  \"b\" 2\n}"
        XCTAssertThrowsError(try JSONValue.parse(Data(text.utf8))) { error in
            XCTAssertEqual(error as? JSONSyntaxError, JSONSyntaxError(line: 3, column: 7, message: "expected ':' after an object key"))
        }
        XCTAssertThrowsError(try JSONValue.parse(Data(text.utf8), path: "t.json")) { error in
            XCTAssertEqual("\(error)", "t.json:3: not valid JSON: column 7: expected ':' after an object key")
        }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        XCTAssertThrowsError(try JSONValue.parse(Data(deep.utf8)))
    }

    func testArrayWithLinesGivesEachRecordItsLine() throws {
        let records = try JSONValue.parseArrayWithLines(Array("\u{FEFF}[\n{\"a\": 1},\n\n {\"a\": 2}]".utf8))
        XCTAssertEqual(records.map(\.line), [2, 4])
        XCTAssertEqual(records[1].value["a"], .number("2"))
    }
}
