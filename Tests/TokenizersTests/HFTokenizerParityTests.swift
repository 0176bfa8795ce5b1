import Foundation
import Harness
import XCTest
@testable import Tokenizers

/// Parity with the Hugging Face `tokenizers` library on fixtures written by
/// `scripts/reference/make_tokenizer_fixtures.py`.
final class HFTokenizerParityTests: XCTestCase {
    struct Case {
        var text: String
        var ids: [Int]
        var idsPlain: [Int]
        var decoded: String
        var decodedSkip: String
        var decodedPlain: String
        var decodedPrefix: String
    }

    func loadFixture(_ name: String, in root: URL? = nil) throws -> (HFTokenizer, Int, [Case]) {
        let folder = root?.appendingPathComponent(name) ?? TestPaths.fixture(name)
        let tokenizer = try HFTokenizer(contentsOfFile: folder.appendingPathComponent("tokenizer.json").path)
        let data = try Data(contentsOf: folder.appendingPathComponent("expected.json"))
        // The module's own parser: swift-corelibs-foundation's JSONSerialization drops U+FEFF from strings.
        let root = try JSONValue.parse(data)
        let vocabularySize = try XCTUnwrap(root["vocab_size"]?.intValue)
        let ints = { (value: JSONValue?) in value!.arrayValue!.map { $0.intValue! } }
        let cases = try XCTUnwrap(root["cases"]?.arrayValue).map { entry in
            Case(text: entry["text"]!.stringValue!,
                 ids: ints(entry["ids"]),
                 idsPlain: ints(entry["ids_plain"]),
                 decoded: entry["decoded"]!.stringValue!,
                 decodedSkip: entry["decoded_skip"]!.stringValue!,
                 decodedPlain: entry["decoded_plain"]!.stringValue!,
                 decodedPrefix: entry["decoded_prefix"]!.stringValue!)
        }
        return (tokenizer, vocabularySize, cases)
    }

    /// Exact scalar-by-scalar equality (Swift's `==` on strings ignores canonical differences).
    func same(_ a: String, _ b: String) -> Bool {
        Array(a.unicodeScalars) == Array(b.unicodeScalars)
    }

    func scalars(_ s: String) -> String {
        s.unicodeScalars.map { $0.value < 0x80 && $0.value >= 0x20 ? String($0) : String(format: "\\u{%X}", $0.value) }.joined()
    }

    func checkParity(_ name: String, in root: URL? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let (tokenizer, vocabularySize, cases) = try loadFixture(name, in: root)
        XCTAssertEqual(tokenizer.vocabularySize, vocabularySize, "\(name): vocabulary size", file: file, line: line)
        XCTAssertGreaterThan(cases.count, 100)
        var failures: [String] = []
        for c in cases {
            let label = "\(name) \"\(scalars(c.text))\""
            let ids = tokenizer.encode(c.text, addSpecialTokens: true)
            if ids != c.ids { failures.append("\(label): encode with special tokens\n  got      \(ids)\n  expected \(c.ids)") }
            let plain = tokenizer.encode(c.text, addSpecialTokens: false)
            if plain != c.idsPlain { failures.append("\(label): encode\n  got      \(plain)\n  expected \(c.idsPlain)") }
            let checks: [(String, String, String)] = [
                ("decode", tokenizer.decode(c.ids, skipSpecialTokens: false), c.decoded),
                ("decode skipping special", tokenizer.decode(c.ids, skipSpecialTokens: true), c.decodedSkip),
                ("decode plain", tokenizer.decode(c.idsPlain, skipSpecialTokens: false), c.decodedPlain),
                ("decode prefix", tokenizer.decode(Array(c.idsPlain.prefix((c.idsPlain.count + 1) / 2)), skipSpecialTokens: false), c.decodedPrefix),
            ]
            for (what, got, expected) in checks where !same(got, expected) {
                failures.append("\(label): \(what)\n  got      \"\(scalars(got))\"\n  expected \"\(scalars(expected))\"")
            }
            // Wherever the library round-trips, so must we.
            if same(c.decodedPlain, c.text) {
                XCTAssertTrue(same(tokenizer.decode(plain, skipSpecialTokens: false), c.text), "\(label): round trip", file: file, line: line)
            }
        }
        if !failures.isEmpty {
            XCTFail("\(name): \(failures.count) mismatches of \(cases.count * 6) checks; first ones:\n" + failures.prefix(12).joined(separator: "\n"), file: file, line: line)
        }
    }

    func testByteLevelLlama3() throws { try checkParity("bytelevel") }
    func testByteLevelQwen2() throws { try checkParity("bytelevel_qwen2") }
    func testByteLevelGPT2() throws { try checkParity("bytelevel_gpt2") }
    func testSentencePieceNormalizer() throws { try checkParity("sentencepiece") }
    func testMetaspaceFirst() throws { try checkParity("metaspace_first") }
    func testMetaspaceAlways() throws { try checkParity("metaspace_always") }

    /// Many wide-Unicode cases written by `make_tokenizer_fixtures.py --stress DIR`; runs only when
    /// `FORGETBENCH_TOKENIZER_STRESS` names that folder.
    func testStressFixtures() throws {
        guard let folder = ProcessInfo.processInfo.environment["FORGETBENCH_TOKENIZER_STRESS"], !folder.isEmpty else {
            throw XCTSkip("set FORGETBENCH_TOKENIZER_STRESS to a folder written by make_tokenizer_fixtures.py --stress")
        }
        for name in ["bytelevel", "bytelevel_qwen2", "bytelevel_gpt2", "sentencepiece", "metaspace_first", "metaspace_always"] {
            try checkParity(name, in: URL(fileURLWithPath: folder))
        }
    }

    func testSpecialTokenMetadata() throws {
        let (llama3, _, _) = try loadFixture("bytelevel")
        XCTAssertEqual(llama3.bosTokenID, llama3.id(for: "<|begin_of_text|>"))
        XCTAssertEqual(llama3.eosTokenIDs, Set([llama3.id(for: "<|end_of_text|>")!, llama3.id(for: "<|eot_id|>")!]))
        XCTAssertEqual(llama3.encode("", addSpecialTokens: true), [llama3.bosTokenID!])
        XCTAssertTrue(llama3.specialTokenIDs.contains(llama3.id(for: "<|eot_id|>")!))
        XCTAssertFalse(llama3.specialTokenIDs.contains(llama3.id(for: "hello_world")!))

        let (llama2, _, _) = try loadFixture("sentencepiece")
        XCTAssertEqual(llama2.bosTokenID, 1)
        XCTAssertEqual(llama2.eosTokenIDs, [2])
        XCTAssertEqual(llama2.piece(for: 3), "<0x00>")
        XCTAssertEqual(llama2.id(for: "<0xFF>"), 258)
        XCTAssertNil(llama2.piece(for: 1_000_000))
        // A normalized added token decodes from its normalized form, as the library's id_to_token says.
        XCTAssertEqual(llama2.id(for: "foo bar"), 1001)
        XCTAssertEqual(llama2.piece(for: 1001), "\u{2581}foo\u{2581}bar")
        XCTAssertEqual(llama2.addedTokens.first { $0.id == 1001 }?.content, "foo bar")
        XCTAssertNil(llama2.id(for: "no such piece"))
    }

    /// Merges written as `"a b"` strings and as `[a, b]` pairs load to the same tokenizer.
    func testMergeFormsAgree() throws {
        let url = TestPaths.fixture("bytelevel_gpt2").appendingPathComponent("tokenizer.json")
        var root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var model = try XCTUnwrap(root["model"] as? [String: Any])
        let pairs = try XCTUnwrap(model["merges"] as? [[String]])
        XCTAssertFalse(pairs.isEmpty)
        model["merges"] = pairs.map { $0.joined(separator: " ") }
        root["model"] = model
        let legacy = try HFTokenizer(data: JSONSerialization.data(withJSONObject: root), path: "legacy.json")
        let modern = try HFTokenizer(contentsOfFile: url.path)
        for text in ["Once upon a time, there was a little girl.", "def add(a, b):\n    return a + b", "Größe 1234 😀"] {
            XCTAssertEqual(legacy.encode(text, addSpecialTokens: true), modern.encode(text, addSpecialTokens: true))
        }
    }

    func testConcurrentEncodingIsConsistent() throws {
        let (tokenizer, _, cases) = try loadFixture("bytelevel")
        let texts = cases.map(\.text)
        let expected = cases.map(\.ids)
        let mismatches = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for (text, ids) in zip(texts, expected) where tokenizer.encode(text, addSpecialTokens: true) != ids {
                mismatches.increment()
            }
        }
        XCTAssertEqual(mismatches.value, 0)
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
