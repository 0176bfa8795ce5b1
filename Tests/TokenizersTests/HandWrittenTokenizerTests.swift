import Foundation
import XCTest
@testable import Tokenizers

/// Small tokenizer.json files written by hand, for behaviour the trained fixtures cannot pin down.
final class HandWrittenTokenizerTests: XCTestCase {
    func makeTokenizer(vocab: [(String, Int)], merges: [String], extra: String = "") throws -> HFTokenizer {
        let vocabJSON = vocab.map { "\(jsonString($0.0)): \($0.1)" }.joined(separator: ", ")
        let mergesJSON = merges.map(jsonString).joined(separator: ", ")
        let json = """
        {"version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer": null,
         "post_processor": null, "decoder": null \(extra),
         "model": {"type": "BPE", "unk_token": "<unk>", "fuse_unk": true, "byte_fallback": false,
                   "vocab": {\(vocabJSON)}, "merges": [\(mergesJSON)]}}
        """
        return try HFTokenizer(data: Data(json.utf8), path: "hand.json")
    }

    func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value > 0x7E {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        out += String(format: "\\u%04X\\u%04X", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
                    } else {
                        out += String(format: "\\u%04x", scalar.value)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// "é" (U+00E9) and "e" + U+0301 are different pieces even though Swift strings compare them equal.
    func testCanonicallyEquivalentPiecesStayDistinct() throws {
        let tokenizer = try makeTokenizer(
            vocab: [("<unk>", 0), ("\u{E9}", 1), ("e", 2), ("\u{301}", 3), ("e\u{301}", 4), ("x", 5), ("😀", 6)],
            merges: ["e \u{301}"])
        XCTAssertEqual(tokenizer.vocabularySize, 7)
        XCTAssertEqual(tokenizer.encode("\u{E9}", addSpecialTokens: false), [1])
        XCTAssertEqual(tokenizer.encode("e\u{301}", addSpecialTokens: false), [4])
        XCTAssertEqual(tokenizer.id(for: "e\u{301}"), 4)
        XCTAssertEqual(tokenizer.id(for: "\u{E9}"), 1)
        XCTAssertEqual(Array(tokenizer.piece(for: 4)!.unicodeScalars), ["e", "\u{301}"])
        // Unknown characters fuse into one <unk>; no decoder joins pieces with spaces.
        XCTAssertEqual(tokenizer.encode("x??x😀", addSpecialTokens: false), [5, 0, 5, 6])
        XCTAssertEqual(tokenizer.decode([5, 6], skipSpecialTokens: false), "x 😀")
    }

    func testMergePriorityFollowsRank() throws {
        // "abc": merges rank 0 "b c", rank 1 "a b": "b c" applies first, so "a"+"bc".
        let tokenizer = try makeTokenizer(
            vocab: [("<unk>", 0), ("a", 1), ("b", 2), ("c", 3), ("ab", 4), ("bc", 5), ("abc", 6)],
            merges: ["b c", "a b", "a bc"])
        XCTAssertEqual(tokenizer.encode("abc", addSpecialTokens: false), [6])
        let other = try makeTokenizer(
            vocab: [("<unk>", 0), ("a", 1), ("b", 2), ("c", 3), ("ab", 4), ("bc", 5), ("abc", 6)],
            merges: ["a b", "b c"])
        XCTAssertEqual(other.encode("abc", addSpecialTokens: false), [4, 3])
        XCTAssertEqual(other.encode("abcbc", addSpecialTokens: false), [4, 3, 5])
    }

    func testOtherRegexFallsBackToNSRegularExpression() throws {
        let pattern = SplitPattern.fromRegexOrNil(#"\d+|[a-z]+"#)
        XCTAssertNotNil(pattern)
        let text = Array("ab12cd 3😀e".unicodeScalars)
        XCTAssertEqual(pattern?.matches(in: text), [0..<2, 2..<4, 4..<6, 7..<8, 9..<10])
    }

    func testKnownScannersAgreeWithICUOnPlainText() throws {
        // On ASCII text without exotic whitespace, ICU and Oniguruma agree, so the scanners must too.
        let samples = ["Hello world", "  leading", "trailing  ", "it's DON'T we'll", "a1b22c333d4444 12345",
                       "x  \n\n  y\t\tz", "foo(bar) = [1, 2];\n", "   ", "\n", "a  b   c", "?!? ...", "'s'S'x"]
        for (source, known) in [(SplitPattern.gpt2Regex, KnownRegex.gpt2), (SplitPattern.llama3Regex, .llama3(maxDigits: 3)),
                                (SplitPattern.qwen2Regex, .llama3(maxDigits: 1))] {
            let icu = try RegexBox(source)
            for sample in samples {
                let scalars = Array(sample.unicodeScalars)
                XCTAssertEqual(known.matches(in: scalars), icu.matches(in: scalars), "\(known) on \(sample.debugDescription)")
            }
        }
    }

    /// Split's delimiter behaviours on a literal "-", as the `tokenizers` library (0.23.3) splits
    /// `pre_tokenizers.Split("-", behavior, invert=...).pre_tokenize_str(text)`; no trained fixture
    /// uses MergedWithPrevious, MergedWithNext with invert, or Contiguous.
    func testSplitBehavioursMatchTheTokenizersLibrary() {
        let texts = ["the-final--countdown", "--a--b-"]
        let expected: [(SplitBehavior, Bool, [[String]])] = [
            (.removed, false, [["the", "final", "countdown"], ["a", "b"]]),
            (.removed, true, [["-", "-", "-"], ["-", "-", "-", "-", "-"]]),
            (.isolated, false, [["the", "-", "final", "-", "-", "countdown"], ["-", "-", "a", "-", "-", "b", "-"]]),
            (.isolated, true, [["the", "-", "final", "-", "-", "countdown"], ["-", "-", "a", "-", "-", "b", "-"]]),
            (.mergedWithPrevious, false, [["the-", "final-", "-", "countdown"], ["-", "-", "a-", "-", "b-"]]),
            (.mergedWithPrevious, true, [["the", "-final", "-", "-countdown"], ["-", "-a", "-", "-b", "-"]]),
            (.mergedWithNext, false, [["the", "-final", "-", "-countdown"], ["-", "-a", "-", "-b", "-"]]),
            (.mergedWithNext, true, [["the-", "final-", "-", "countdown"], ["-", "-", "a-", "-", "b-"]]),
            (.contiguous, false, [["the", "-", "final", "--", "countdown"], ["--", "a", "--", "b", "-"]]),
        ]
        for (behavior, invert, words) in expected {
            let split = PreTokenizer.split(.literal(["-"]), behavior, invert: invert)
            for (text, want) in zip(texts, words) {
                let pieces = split.apply([TextPiece(scalars: Array(text.unicodeScalars), atStart: true)])
                XCTAssertEqual(pieces.map { String(String.UnicodeScalarView($0.scalars)) }, want, "\(behavior) invert \(invert) on \(text)")
            }
        }
    }
}

extension SplitPattern {
    static func fromRegexOrNil(_ source: String) -> SplitPattern? { try? fromRegex(source) }
}
