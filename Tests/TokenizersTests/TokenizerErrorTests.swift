import Foundation
import XCTest
@testable import Tokenizers

final class TokenizerErrorTests: XCTestCase {
    func fixtureJSON(_ name: String) throws -> [String: Any] {
        let url = TestPaths.fixture(name).appendingPathComponent("tokenizer.json")
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    func assertLoadFails(_ root: [String: Any], mentions words: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let data = try JSONSerialization.data(withJSONObject: root)
        XCTAssertThrowsError(try HFTokenizer(data: data, path: "/tmp/bad/tokenizer.json"), file: file, line: line) { error in
            guard let error = error as? TokenizerError else { return XCTFail("not a TokenizerError: \(error)", file: file, line: line) }
            XCTAssertEqual(error.path, "/tmp/bad/tokenizer.json", file: file, line: line)
            XCTAssertFalse(error.description.contains("\n"), "one line", file: file, line: line)
            for word in words {
                XCTAssertTrue(error.description.contains(word), "\"\(error)\" should mention \(word)", file: file, line: line)
            }
        }
    }

    func testUnsupportedModelTypesListSupportedOnes() throws {
        for type in ["WordPiece", "Unigram", "WordLevel"] {
            var root = try fixtureJSON("bytelevel")
            var model = root["model"] as! [String: Any]
            model["type"] = type
            root["model"] = model
            try assertLoadFails(root, mentions: [type, "supported", "BPE"])
        }
    }

    func testUnsupportedComponentsListSupportedOnes() throws {
        var root = try fixtureJSON("bytelevel")
        root["pre_tokenizer"] = ["type": "BertPreTokenizer"]
        try assertLoadFails(root, mentions: ["BertPreTokenizer", "ByteLevel", "Split", "Metaspace"])

        root = try fixtureJSON("bytelevel")
        root["normalizer"] = ["type": "Precompiled", "precompiled_charsmap": "AAAA"]
        try assertLoadFails(root, mentions: ["Precompiled", "NFC", "Prepend", "Replace"])

        root = try fixtureJSON("bytelevel")
        root["decoder"] = ["type": "WordPiece"]
        try assertLoadFails(root, mentions: ["WordPiece", "ByteLevel", "ByteFallback"])

        // Inside a Sequence, and for the post-processor: the same frame reads every stage.
        root = try fixtureJSON("bytelevel")
        root["post_processor"] = ["type": "Sequence", "processors": [["type": "ByteLevel"], ["type": "Nope"]]]
        try assertLoadFails(root, mentions: ["unsupported post_processor type \"Nope\"", "TemplateProcessing", "BertProcessing"])

        root = try fixtureJSON("bytelevel")
        root["normalizer"] = ["type": "Sequence"]
        try assertLoadFails(root, mentions: ["expected an array for Sequence normalizers"])
    }

    func testMalformedJSONNamesTheFile() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tokenizer.json").path
        try Data("{\"model\": {\"type\": \"BPE\", ".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try HFTokenizer(contentsOfFile: path)) { error in
            XCTAssertEqual((error as? TokenizerError)?.path, path)
        }
        XCTAssertThrowsError(try loadTokenizer(at: path)) { error in
            XCTAssertEqual((error as? TokenizerError)?.path, path)
        }
        XCTAssertThrowsError(try loadTokenizer(at: directory.appendingPathComponent("missing.json").path))
        let model = directory.appendingPathComponent("tokenizer.model").path
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: model))
        XCTAssertThrowsError(try loadTokenizer(at: model)) { error in
            XCTAssertTrue((error as? TokenizerError)?.problem.contains("supported") ?? false)
        }
    }

    func testMergeWithUnknownPieceThrows() throws {
        var root = try fixtureJSON("bytelevel")
        var model = root["model"] as! [String: Any]
        model["merges"] = [["zzz-not-a-piece", "a"]]
        root["model"] = model
        try assertLoadFails(root, mentions: ["merges[0]"])
    }

    func testTokenizerConfigNamesBosAndEos() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = TestPaths.fixture("bytelevel").appendingPathComponent("tokenizer.json")
        try FileManager.default.copyItem(at: source, to: directory.appendingPathComponent("tokenizer.json"))
        let config: [String: Any] = ["bos_token": "<|begin_of_text|>", "eos_token": ["content": "<|eot_id|>"]]
        try JSONSerialization.data(withJSONObject: config).write(to: directory.appendingPathComponent("tokenizer_config.json"))
        let tokenizer = try HFTokenizer(contentsOfFile: directory.appendingPathComponent("tokenizer.json").path)
        XCTAssertEqual(tokenizer.bosTokenID, tokenizer.id(for: "<|begin_of_text|>"))
        XCTAssertEqual(tokenizer.eosTokenIDs, [tokenizer.id(for: "<|eot_id|>")!])
    }
}
