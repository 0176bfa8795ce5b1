import Foundation
@testable import Harness
import XCTest

/// SHA-256 against the test vectors of FIPS 180-4 (NIST's "SHA256ShortMsg" examples) and against
/// itself fed in pieces.
final class SHA256HasherTests: XCTestCase {
    func testNISTVectors() {
        XCTAssertEqual(ContentHash.sha256(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(ContentHash.sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(ContentHash.sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(ContentHash.sha256(Data(repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testPiecesGiveTheDigestOfTheWhole() {
        let message = Data((0 ..< 10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        for pieceSize in [1, 63, 64, 65, 4096] {
            var hasher = SHA256Hasher()
            var offset = 0
            while offset < message.count {
                hasher.update(message[offset ..< min(offset + pieceSize, message.count)])
                offset += pieceSize
            }
            let digest = hasher.finalizeHex()
            XCTAssertEqual(digest, ContentHash.sha256(message), "pieces of \(pieceSize)")
        }
    }

    func testAFileHashesAsItsBytes() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sha256-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("abc".utf8).write(to: url)
        XCTAssertEqual(try ContentHash.sha256(fileAt: url), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertThrowsError(try ContentHash.sha256(fileAt: url.appendingPathExtension("missing")))
    }

    func testHexDigits() {
        XCTAssertEqual(SHA256Hasher.hex([0x00, 0x0F, 0xA0, 0xFF]), "000fa0ff")
    }
}
