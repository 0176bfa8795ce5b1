import Foundation
import Harness
import XCTest

/// Harness's own small pieces against references it did not write.
final class HarnessBasicsTests: XCTestCase {
    /// Vigna's splitmix64.c seeded with 1234567 (the sequence Rosetta Code's "Pseudo-random
    /// numbers/Splitmix64" task lists).
    func testSplitMix64MatchesTheReferenceStream() {
        var rng = SplitMix64(seed: 1_234_567)
        XCTAssertEqual((0 ..< 5).map { _ in rng.next() },
                       [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                        4_593_380_528_125_082_431, 16_408_922_859_458_223_821])
        var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7)
        XCTAssertEqual((0 ..< 100).map { _ in a.below(10) }, (0 ..< 100).map { _ in b.below(10) })
        var c = SplitMix64(seed: 7)
        XCTAssertTrue((0 ..< 1000).allSatisfy { _ in (0 ..< 3).contains(c.below(3)) })
    }

    func testSuggestionsByEditDistance() {
        XCTAssertEqual(Suggestions.distance("kitten", "sitting"), 3)
        XCTAssertEqual(Suggestions.distance("", "abc"), 3)
        XCTAssertEqual(Suggestions.closest(to: "arc_esay", in: ["piqa", "arc_challenge", "arc_easy"]), ["arc_easy"])
        XCTAssertEqual(Suggestions.closest(to: "ARC_EASY", in: ["arc_easy"]), ["arc_easy"])
        XCTAssertEqual(Suggestions.closest(to: "gsm8k", in: ["winogrande", "hellaswag"]), [])
    }

    /// A fingerprint hashes each file's name, length and bytes: a renamed or changed file is
    /// another model.
    func testModelFingerprintHashesNamesLengthsAndBytes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forgetbench-harness-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.bin"), b = dir.appendingPathComponent("b.bin")
        try Data("abc".utf8).write(to: a)
        try Data("abc".utf8).write(to: b)
        let fa = try ModelFingerprint.of(files: [a])
        XCTAssertEqual(fa.sha256, ContentHash.sha256(Data("a.bin\u{0}3\u{0}abc".utf8)))
        XCTAssertEqual(fa.files, ["a.bin"])
        XCTAssertEqual(fa.short.count, 12)
        XCTAssertNotEqual(try ModelFingerprint.of(files: [b]).sha256, fa.sha256)
        try Data("abd".utf8).write(to: a)
        XCTAssertNotEqual(try ModelFingerprint.of(files: [a]).sha256, fa.sha256)
        XCTAssertThrowsError(try ModelFingerprint.of(files: [dir.appendingPathComponent("missing")]))
    }

    func testFileErrorIsOneLine() {
        XCTAssertEqual("\(FileError(path: "m/config.json", problem: "expected hidden_size"))", "m/config.json: expected hidden_size")
        XCTAssertEqual("\(FileError(path: "t.jsonl", line: 3, problem: "not valid JSON"))", "t.jsonl:3: not valid JSON")
    }
}
