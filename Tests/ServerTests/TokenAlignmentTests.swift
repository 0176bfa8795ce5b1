import Foundation
import Harness
import NativeModel
import Server
import XCTest

/// Token texts and offsets against the prompt string.
final class TokenAlignmentTests: XCTestCase {
    func testOffsetsCountUnicodeScalarsAndTextsRebuildThePrompt() throws {
        let model = try ServerTestSupport.model()
        for text in ["Le café est chaud ☕ 😀 e\u{301} fin", " leading space", "two  spaces\nand a newline", ""] {
            let tokens = model.engine.encode(text)
            let alignment = TokenAlignment(tokens: tokens, text: text, tokenizer: model.engine.tokenizer)
            XCTAssertEqual(alignment.texts.count, tokens.count)
            XCTAssertEqual(alignment.offsets[0], 0)
            XCTAssertEqual(alignment.texts[0], "")
            XCTAssertEqual(alignment.offsets, alignment.offsets.sorted(), text)
            XCTAssertTrue(alignment.offsets.allSatisfy { $0 <= text.unicodeScalars.count })
            // Byte-fallback pieces of one character share its offset; complete texts sit at theirs.
            let scalars = Array(text.unicodeScalars)
            for (piece, offset) in zip(alignment.texts, alignment.offsets) where !piece.contains("\u{FFFD}") && !piece.isEmpty {
                let end = offset + piece.unicodeScalars.count
                if end <= scalars.count { XCTAssertEqual(String(String.UnicodeScalarView(scalars[offset ..< end])), piece, text) }
            }
            if !alignment.texts.contains(where: { $0.contains("\u{FFFD}") }) { XCTAssertEqual(alignment.texts.joined(), text) }
        }
    }

    func testJSONValueWritesOrderedObjectsAndEscapes() throws {
        let value = JSONValue.object([("b", .int(1)), ("a", .array([.null, .double(-0.5), .string("q\"\n\u{1}é")])), ("c", .double(2))])
        XCTAssertEqual(String(decoding: value.serialized(), as: UTF8.self), #"{"b":1,"a":[null,-0.5,"q\"\n\u0001é"],"c":2.0}"#)
        XCTAssertEqual(try JSONValue.parse(value.serialized())["b"], .int(1))
        XCTAssertEqual(try JSONValue.parse(Data("true".utf8)), .bool(true))
        XCTAssertEqual(try JSONValue.parse(Data("1.5".utf8)), .double(1.5))
    }
}
