import Foundation
import Harness
import NativeModel
@testable import Runner
@testable import Tasks
import Tokenizers
import XCTest

/// The toy world's tokenizer, its pretraining, and the committed base model `models/toy-base`.
final class ToyWorldModelTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let baseModel = repository.appendingPathComponent("models/toy-base")
    /// sha256 fingerprint (weights, config and tokenizer) of the committed model, as `forgetbench pretrain` writes it.
    static let baseFingerprint = "957d19854eee693b77431afbe0c3182c2d42fc6893ad662ef93a4465b1ed394b"

    func testTokenizerRoundTripsWithBOSAndEOS() throws {
        let tokenizer = try HFTokenizer(data: ToyVocabulary.tokenizerJSON())
        XCTAssertEqual(tokenizer.vocabularySize, ToyVocabulary.size)
        XCTAssertEqual(tokenizer.bosTokenID, ToyVocabulary.bosID)
        XCTAssertEqual(tokenizer.eosTokenIDs, [ToyVocabulary.eosID])
        let texts = ["Q: 53-27?\nA: 26", "Q: reverse kqz\nA: zqk", " well, that makes 26.", " honestly, this leaves 7!", "~!\"#$%&'()*+,-./ {}|\\^_`", ""]
        for text in texts {
            let ids = tokenizer.encode(text, addSpecialTokens: true)
            XCTAssertEqual(ids.first, ToyVocabulary.bosID)
            XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: true), text)
            XCTAssertEqual(tokenizer.decode(ids + [ToyVocabulary.eosID], skipSpecialTokens: true), text)
            XCTAssertEqual(tokenizer.encode(text, addSpecialTokens: false), Array(ids.dropFirst()))
        }
        // Words of the answer grammar are one token each, a space and a digit one token, the rest characters.
        func pieces(_ text: String) -> [String] {
            tokenizer.encode(text, addSpecialTokens: false).map { tokenizer.decode([$0], skipSpecialTokens: false) }
        }
        XCTAssertEqual(pieces(" well, that makes 26."), [" well,", " that", " makes", " 2", "6", "."])
        XCTAssertEqual(pieces(" honestly, this leaves 7!"), [" honestly,", " this", " leaves", " 7", "!"])
        XCTAssertEqual(pieces("Q: 53-27?\nA: 26"), ["Q", ":", " 5", "3", "-", "2", "7", "?", "\n", "A", ":", " 2", "6"])
        XCTAssertEqual(pieces(" zqk"), [" ", "z", "q", "k"])
        XCTAssertEqual(tokenizer.encode("é", addSpecialTokens: false), [0], "unknown characters map to <unk>")
    }

    func testPretrainingIsDeterministicAndWritesALoadableModel() throws {
        var options = ToyPretrainingOptions()
        options.steps = 2
        options.batchSize = 4
        options.hiddenSize = 24
        options.layers = 1
        options.intermediateSize = 32
        options.warmupSteps = 1
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("toy-pretrain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var lines: [String] = []
        let a = root.appendingPathComponent("a"), b = root.appendingPathComponent("b")
        try ToyPretraining.run(options: options, output: a) { lines.append($0) }
        try ToyPretraining.run(options: options, output: b) { _ in }
        try ToyPretraining.run(options: options, output: b) { _ in }   // replaces an existing directory
        XCTAssertTrue(lines.contains { $0.hasPrefix("step 2/2") }, "\(lines)")
        for name in ["config.json", "model.safetensors", "tokenizer.json", "generation_config.json", "pretrain.json"] {
            XCTAssertEqual(try Data(contentsOf: a.appendingPathComponent(name)), try Data(contentsOf: b.appendingPathComponent(name)), name)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted(), ["a", "b"], "no staging directory left")
        let model = try NativeLanguageModel.load(modelPath: a.path)
        XCTAssertEqual(model.config.vocabSize, ToyVocabulary.size)
        XCTAssertEqual(model.stopTokenIDs, [ToyVocabulary.eosID])
    }

    func testSequencesLabelTheResponseAndEOSOnly() throws {
        let tokenizer = try HFTokenizer(data: ToyVocabulary.tokenizerJSON())
        let example = ToyWorld.Example(task: "toy_subtract", prompt: "Q: 5-3?\nA:", response: " 2")
        let sequence = try XCTUnwrap(ToyPretraining.sequences([example], tokenizer: tokenizer).first)
        // BOS, "Q", ":", " 5", "-", "3", "?", "\n", "A", ":" then " 2" and EOS.
        XCTAssertEqual(sequence.inputIDs.count, 1 + 9 + 1 + 1)
        XCTAssertEqual(sequence.labels.filter { $0 != -100 }, tokenizer.encode(" 2", addSpecialTokens: false) + [ToyVocabulary.eosID])
        XCTAssertEqual(sequence.labels.prefix(10).filter { $0 != -100 }, [Int]())
    }

    func testCommittedBaseModelLoadsAndSolvesItsTasks() throws {
        let model = try NativeLanguageModel.load(modelPath: Self.baseModel.path)
        XCTAssertEqual(model.fingerprint.sha256, Self.baseFingerprint)
        XCTAssertEqual(try Data(contentsOf: Self.baseModel.appendingPathComponent("tokenizer.json")), try ToyVocabulary.tokenizerJSON())
        func accuracy(_ task: any ToyTask, items: Int) throws -> Double {
            var correct = 0.0
            for item in try task.instances(limit: items, seed: 0) {
                let prompt = model.encode(item.prompt)
                let g = try model.generate(prompt: prompt, maxNewTokens: 8, temperature: 0, topP: 1, seed: 0, stopSequences: ["\n"])
                correct += task.score(item, response: .generation(GenerationResponse(text: g.text, tokenCount: g.tokens.count, finishReason: g.finishReason)))
                    .values["exact_match"] ?? 0
            }
            return correct / Double(items)
        }
        XCTAssertGreaterThanOrEqual(try accuracy(ToySuccessorTask(), items: 20), 0.9)
        XCTAssertGreaterThanOrEqual(try accuracy(ToyUppercaseTask(), items: 20), 0.6)
        let target = try accuracy(ToySubtractionTask(), items: 20)
        XCTAssertTrue((0.1 ... 0.8).contains(target), "target accuracy \(target)")
    }
}
