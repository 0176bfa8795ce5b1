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

    /// `run.c`'s `encode`, transcribed literally (quadratic rescans), as the reference for the
    /// priority-queue implementation.
    func runCEncode(_ t: Llama2cTokenizer, _ text: String, bos: Bool) -> [Int] {
        var tokens: [Int] = bos ? [1] : []
        let utf8 = Array(text.utf8)
        if !utf8.isEmpty { tokens.append(t.id(for: " ")!) }
        var buffer: [UInt8] = []
        for (i, c) in utf8.enumerated() {
            if c & 0xC0 != 0x80 { buffer = [] }
            buffer.append(c)
            if i + 1 < utf8.count && utf8[i + 1] & 0xC0 == 0x80 && buffer.count < 4 { continue }
            if let id = t.pieceBytes.firstIndex(of: buffer) { tokens.append(id) } else { tokens += buffer.map { Int($0) + 3 } }
            buffer = []
        }
        while true {
            var bestScore: Float = -1e10, bestID = -1, bestIndex = -1
            for i in 0..<max(0, tokens.count - 1) {
                let merged = t.pieceBytes[tokens[i]] + t.pieceBytes[tokens[i + 1]]
                if let id = t.pieceBytes.firstIndex(of: merged), t.scores[id] > bestScore {
                    bestScore = t.scores[id]; bestID = id; bestIndex = i
                }
            }
            if bestIndex < 0 { break }
            tokens[bestIndex] = bestID
            tokens.remove(at: bestIndex + 1)
        }
        return tokens
    }

    func testMatchesLiteralRunCOnRandomText() throws {
        let tokenizer = try tok512()
        var generator = SplitMix64(seed: 42)
        let alphabet = Array("aeiou tnsrhl dmTOLB,.!?'\n\t0123456789éü日本😀  ")
        for _ in 0..<150 {
            let length = Int.random(in: 0..<60, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            XCTAssertEqual(tokenizer.encode(text, addSpecialTokens: true), runCEncode(tokenizer, text, bos: true), text.debugDescription)
        }
        let story = "Once upon a time, there was a little girl named Lily. She loved to play outside."
        XCTAssertEqual(tokenizer.encode(story, addSpecialTokens: false), runCEncode(tokenizer, story, bos: false))
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

/// A seeded random number generator, so test inputs are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
