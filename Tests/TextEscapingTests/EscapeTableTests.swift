import Foundation
import TextEscaping
import XCTest

final class EscapeTableTests: XCTestCase {
    let table = EscapeTable(["<": "&lt;", "\u{2028}": "\\u2028"])

    func testEmptyTextStaysEmpty() {
        XCTAssertEqual(table.escaping(""), "")
    }

    func testReplacesASCIIAndNonASCIIScalarsAndKeepsTheRest() {
        XCTAssertEqual(table.escaping("a<b\u{2028}c"), "a&lt;b\\u2028c")
        // An astral scalar, a combining mark after a replaced scalar, and U+2029 (not in the table) pass as they are.
        XCTAssertEqual(table.escaping("😀<\u{301}\u{2029}"), "😀&lt;\u{301}\u{2029}")
    }

    func testSubscriptNamesOnlyWhatTheTableHolds() {
        XCTAssertEqual(table["<"], "&lt;")
        XCTAssertEqual(table["\u{2028}"], "\\u2028")
        XCTAssertNil(table[">"])
        XCTAssertNil(table["\u{7F}"])
        XCTAssertNil(table["é"])
    }

    func testAddingOverridesAndLeavesTheOriginalAlone() {
        let more = table.adding(["<": "[lt]", ">": "[gt]"])
        XCTAssertEqual(more.escaping("<>"), "[lt][gt]")
        XCTAssertEqual(table.escaping("<>"), "&lt;>")
    }

    func testOtherwiseSeesOnlyScalarsOutsideTheTable() {
        var seen: [Unicode.Scalar] = []
        var out = ">"
        table.append("<é!", to: &out) { scalar in
            seen.append(scalar)
            return scalar == "é" ? "e" : nil
        }
        XCTAssertEqual(out, ">&lt;e!")
        XCTAssertEqual(seen, ["é", "!"])
    }

    func testJSONTableFollowsRFC8259ForEveryASCIIScalar() {
        for value in UInt8(0) ... 0x7F {
            let scalar = Unicode.Scalar(value)
            let expected: String? = switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            default: value < 0x20 ? String(format: "\\u%04x", value) : nil
            }
            XCTAssertEqual(JSONEscapes.table[scalar], expected, "U+\(String(value, radix: 16))")
        }
        XCTAssertNil(JSONEscapes.table["\u{2028}"])
    }

    func testQuotedTextReadsBackThroughFoundation() throws {
        let texts = ["", "plain", "quote \" backslash \\ slash /", "\u{0}\u{1}\u{8}\u{C}\u{1F}\u{7F}", "tab\tline\ncr\r", "é 東京 😀 \u{2028}"]
        for text in texts {
            var json = "["
            JSONEscapes.appendQuoted(text, to: &json)
            json += "]"
            let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String]
            XCTAssertEqual(decoded, [text], json)
        }
    }

    func testUnescapedAgreesForBytesAndScalars() {
        for value in UInt8(0) ... 0x7F {
            XCTAssertEqual(JSONEscapes.unescaped(Unicode.Scalar(value)).map { UInt8($0.value) }, JSONEscapes.unescaped(value))
        }
        XCTAssertEqual(JSONEscapes.unescaped(Unicode.Scalar("n")), "\n")
        XCTAssertNil(JSONEscapes.unescaped(Unicode.Scalar("u")))
        XCTAssertNil(JSONEscapes.unescaped(Unicode.Scalar("é")))
    }

    func testUnicodeEscapeIsFourLowerCaseHexDigits() {
        XCTAssertEqual(JSONEscapes.unicodeEscape(0x1F), "\\u001f")
        XCTAssertEqual(JSONEscapes.unicodeEscape(0xD83D), "\\ud83d")
        XCTAssertEqual(JSONEscapes.unicodeEscape(0), "\\u0000")
    }
}
