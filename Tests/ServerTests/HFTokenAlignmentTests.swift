import Foundation
import Server
import Tokenizers
import XCTest

/// ``TokenAlignment``'s tokenizer-independent path on Hugging Face `tokenizer.json` fixtures
/// (byte-level and SentencePiece-style): offsets index the text, and the client's rule
/// (text_offset >= the context's length without trailing spaces) picks the tokens that
/// `NativeLanguageModel.encodePair` calls the continuation.
final class HFTokenAlignmentTests: XCTestCase {
    static let fixtures = ServerTestSupport.repositoryRoot.appendingPathComponent("Tests/Fixtures/tokenizers")

    let pairs: [(String, String)] = [
        ("Question: What is the capital of France?\nAnswer:", " Paris"),
        ("Question: Which one?\nAnswer: ", "two words"),
        ("Le café", " est chaud très bien"),
        ("", "Hello world"),
        ("x = 48/2", " = 24\n#### 24"),
    ]

    func testGenericAlignmentOnHuggingFaceTokenizers() throws {
        for name in ["bytelevel", "bytelevel_gpt2", "sentencepiece", "metaspace_first"] {
            let path = Self.fixtures.appendingPathComponent("\(name)/tokenizer.json").path
            let tokenizer = try loadTokenizer(at: path)
            var checked = 0
            for (context, continuation) in pairs {
                let text = context + continuation
                let tokens = tokenizer.encode(text, addSpecialTokens: true)
                let alignment = TokenAlignment(tokens: tokens, text: text, tokenizer: tokenizer)
                XCTAssertEqual(alignment.offsets, alignment.offsets.sorted(), "\(name): \(text)")
                let decoded = tokenizer.decode(tokens, skipSpecialTokens: true)
                let roundTrips = decoded.hasSuffix(text)
                if roundTrips { XCTAssertEqual(alignment.texts.joined(), decoded, name) }
                // encodePair's split, by the tokenizer alone.
                var stripped = context
                while stripped.hasSuffix(" ") { stripped.removeLast() }
                let k = min(tokenizer.encode(stripped, addSpecialTokens: true).count, tokens.count)
                let prefixAgrees = Array(tokens.prefix(k)) == tokenizer.encode(stripped, addSpecialTokens: true)
                guard roundTrips, prefixAgrees else { continue }
                checked += 1
                let threshold = stripped.unicodeScalars.count
                let picked = alignment.offsets.indices.filter { alignment.offsets[$0] >= threshold && !alignment.texts[$0].isEmpty }
                XCTAssertEqual(picked, Array(k ..< tokens.count).filter { !alignment.texts[$0].isEmpty }, "\(name): \(context.debugDescription) + \(continuation.debugDescription)")
            }
            XCTAssertGreaterThanOrEqual(checked, 3, name)
        }
    }
}
