import Foundation
import GzipReader
import XCTest

/// The decoder against the system's `gzip` (a reference we did not write): every compression level,
/// stored, fixed and dynamic Huffman blocks, several members, and damaged files.
final class GzipTests: XCTestCase {
    /// `bytes` compressed by `gzip` with `arguments`.
    func gzip(_ bytes: [UInt8], _ arguments: [String]) throws -> [UInt8] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forgetbench-gzip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("input")
        try Data(bytes).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-c"] + arguments + [input.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try XCTSkipIf(process.terminationStatus != 0, "gzip is not installed")
        return [UInt8](data)
    }

    /// Text with repeats (back-references) and random bytes (literals, stored blocks at level 1).
    func sample(seed: UInt64, count: Int) -> [UInt8] {
        var state = seed
        var bytes: [UInt8] = []
        let words = Array("the quick brown fox jumps over the lazy dog; {\"id\": 17, \"text\": \"ünïcødé\"}\n".utf8)
        while bytes.count < count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            if state >> 60 < 10 {
                let start = Int(state >> 32) % words.count
                bytes += words[start...]
            } else {
                bytes.append(UInt8(truncatingIfNeeded: state >> 24))
            }
        }
        return Array(bytes.prefix(count))
    }

    func testEveryLevelOfTheSystemGzipDecodes() throws {
        for (seed, count) in [(UInt64(1), 0), (2, 1), (3, 1000), (4, 200_000)] {
            let original = sample(seed: seed, count: count)
            for level in ["-1", "-6", "-9"] {
                XCTAssertEqual(try Gzip.decompress(try gzip(original, [level, "-n"])), original, "size \(count), level \(level)")
            }
        }
        // A file name in the header (FNAME) is skipped.
        let named = sample(seed: 5, count: 5000)
        XCTAssertEqual(try Gzip.decompress(try gzip(named, [])), named)
    }

    func testConcatenatedMembersDecodeToTheirConcatenation() throws {
        let a = sample(seed: 6, count: 3000), b = sample(seed: 7, count: 70)
        XCTAssertEqual(try Gzip.decompress(try gzip(a, ["-n"]) + gzip(b, ["-9", "-n"])), a + b)
    }

    func testDamagedFilesAreRefusedWithAReason() throws {
        let original = sample(seed: 8, count: 4000)
        let good = try gzip(original, ["-n"])
        var badCRC = good
        badCRC[badCRC.count - 8] ^= 0xFF
        var badLength = good
        badLength[badLength.count - 1] ^= 0x01
        let cases: [([UInt8], String)] = [
            (Array("plain text, not gzip at all".utf8), "not a gzip file"),
            (badCRC, "CRC-32 check failed"),
            (badLength, "length check failed"),
            (Array(good.prefix(good.count - 4)), "truncated gzip trailer"),
        ]
        for (bytes, reason) in cases {
            XCTAssertThrowsError(try Gzip.decompress(bytes)) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(error) should say \(reason)")
            }
        }
    }
}
