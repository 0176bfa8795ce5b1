import Foundation
import XCTest
@testable import Tokenizers

final class Llama2cTokenizerTests: XCTestCase {
    func tok512() throws -> Llama2cTokenizer {
        try Llama2cTokenizer(contentsOfFile: try TestPaths.sharedFile("models/stories260K/tok512.bin"))
    }

    /// Goldens from llama2.c's `run.c` on stories260K's `tok512.bin`.
    func testGoldenEncodings() throws {
        let tokenizer = try tok512()
        XCTAssertEqual(tokenizer.vocabularySize, 512)
        XCTAssertEqual(tokenizer.encode("Once upon a time", addSpecialTokens: true), [1, 403, 407, 261, 378])
        XCTAssertEqual(tokenizer.encode("There was a big", addSpecialTokens: true), [1, 291, 276, 286, 261, 370])
        XCTAssertEqual(tokenizer.encode("Hello, world! 42 é", addSpecialTokens: true),
                       [1, 346, 306, 414, 432, 263, 304, 341, 443, 410, 484, 479, 410, 485])
        XCTAssertEqual(tokenizer.encode("", addSpecialTokens: true), [1])
        XCTAssertEqual(tokenizer.encode("", addSpecialTokens: false), [])
        XCTAssertEqual(tokenizer.encode("Once upon a time", addSpecialTokens: false), [403, 407, 261, 378])
    }

    func testDecodeFollowsRunC() throws {
        let tokenizer = try tok512()
        for text in ["Once upon a time", "There was a big", "Hello, world! 42 é", "Lily and Ben\nplayed."] {
            let ids = tokenizer.encode(text, addSpecialTokens: true)
            // BOS is skipped and the space after it dropped.
            XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: true), text)
            // Without BOS the dummy-prefix space stays, as run.c prints it.
            XCTAssertEqual(tokenizer.decode(tokenizer.encode(text, addSpecialTokens: false), skipSpecialTokens: true), " " + text)
        }
        XCTAssertEqual(tokenizer.bosTokenID, 1)
        XCTAssertEqual(tokenizer.eosTokenIDs, [2])
        // Byte pieces decode to their raw byte.
        XCTAssertEqual(tokenizer.piece(for: 13), "<0x0A>")
        XCTAssertEqual(tokenizer.decodedBytes(for: 13, previous: nil), [0x0A])
        XCTAssertEqual(tokenizer.decode([1, 13], skipSpecialTokens: true), "\n")
        XCTAssertEqual(tokenizer.id(for: " "), tokenizer.encode("x", addSpecialTokens: false).first)
        XCTAssertNil(tokenizer.piece(for: 512))
    }

    func testFactoryChoosesByFile() throws {
        let path = try TestPaths.sharedFile("models/stories260K/tok512.bin")
        XCTAssertTrue(try loadTokenizer(at: path) is Llama2cTokenizer)
        let json = TestPaths.fixture("bytelevel").appendingPathComponent("tokenizer.json").path
        XCTAssertTrue(try loadTokenizer(at: json) is HFTokenizer)
        XCTAssertTrue(try loadTokenizer(at: TestPaths.fixture("sentencepiece").path) is HFTokenizer)
    }

    func testTruncatedFileThrowsNamingIt() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: try TestPaths.sharedFile("models/stories260K/tok512.bin")))
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("truncated.bin").path
        try data.prefix(data.count - 3).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Llama2cTokenizer(contentsOfFile: path)) { error in
            let error = error as? TokenizerError
            XCTAssertEqual(error?.path, path)
            XCTAssertTrue(error?.problem.contains("truncated") ?? false, "\(String(describing: error))")
        }
        XCTAssertThrowsError(try Llama2cTokenizer(contentsOfFile: try TestPaths.sharedFile("models/stories260K/tok512.bin"), vocabularySize: 32000)) { error in
            XCTAssertTrue((error as? TokenizerError)?.problem.contains("32000") ?? false)
        }
    }

    /// Synthetic files need no shared data: the merge rule and the error paths.
    func testSyntheticVocabulary() throws {
        var pieces: [(String, Float)] = [("<unk>", 0), ("\n<s>\n", 0), ("\n</s>\n", 0)]
        for byte in 0..<256 { pieces.append((String(format: "<0x%02X>", byte), 0)) }
        pieces += [(" ", -1), ("a", -2), ("b", -3), ("ab", -4), ("ba", -1), (" a", -5), ("bab", -6)]
        var data = Data()
        func int32(_ v: Int32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        int32(8)
        for (piece, score) in pieces {
            withUnsafeBytes(of: score.bitPattern.littleEndian) { data.append(contentsOf: $0) }
            int32(Int32(piece.utf8.count))
            data.append(contentsOf: Array(piece.utf8))
        }
        let tokenizer = try Llama2cTokenizer(data: data, path: "synthetic.bin")
        let id = { tokenizer.id(for: $0)! }
        // " a b a b": pairs " a"(-5), "ab"(-4), "ba"(-1): "ba" wins first (leftmost on ties).
        XCTAssertEqual(tokenizer.encode("abab", addSpecialTokens: false), [id(" a"), id("bab")])
        // Characters missing from the vocabulary fall back to bytes + 3.
        XCTAssertEqual(tokenizer.encode("é", addSpecialTokens: true), [1, id(" "), 0xC3 + 3, 0xA9 + 3])
        XCTAssertEqual(tokenizer.decode([1, id(" "), 0xC3 + 3, 0xA9 + 3], skipSpecialTokens: true), "é")

        XCTAssertThrowsError(try Llama2cTokenizer(data: data.prefix(2), path: "short.bin")) { error in
            XCTAssertEqual((error as? TokenizerError)?.path, "short.bin")
        }
    }
}
