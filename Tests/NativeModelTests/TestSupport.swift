import Foundation
import Tokenizers
import TestSupport
import XCTest
@testable import NativeModel

/// Paths to the repository's fixtures and to `../shared`.
enum TestPaths {
    static let repositoryRoot = SharedFixtures.repositoryRoot
    static let fixtures = SharedFixtures.fixtures

    /// `../shared` (or `$FORGETBENCH_SHARED`); skips the test when it is absent.
    static func shared() throws -> URL { try SharedFixtures.shared() }

    static func stories260K() throws -> (model: String, tokenizer: String) {
        let dir = try shared().appendingPathComponent("models/stories260K")
        return (dir.appendingPathComponent("stories260K.bin").path, dir.appendingPathComponent("tok512.bin").path)
    }

    static func json(_ url: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: url)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}

/// A tokenizer for token-level tests: id i is the piece "<i>".
struct IdentityTokenizer: Tokenizer {
    var vocabularySize: Int
    var bosTokenID: Int? { nil }
    var eosTokenIDs: Set<Int> { [] }
    func encode(_ text: String, addSpecialTokens: Bool) -> [Int] { text.split(separator: " ").compactMap { Int($0) } }
    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String { ids.map(String.init).joined(separator: " ") }
    func piece(for id: Int) -> String? { "\(id)" }
    func id(for piece: String) -> Int? { Int(piece) }
}

extension NativeLanguageModel {
    /// A model over `weights` with a stand-in tokenizer, for token-level tests.
    static func tokenLevel(_ weights: LlamaWeights) -> NativeLanguageModel {
        NativeLanguageModel(transformer: Transformer(weights: weights), tokenizer: IdentityTokenizer(vocabularySize: weights.config.vocabSize),
                            fingerprint: .init(sha256: "test", files: []))
    }
}
