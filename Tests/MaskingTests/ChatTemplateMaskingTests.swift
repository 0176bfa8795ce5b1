import Foundation
import Harness
import Jinja
import Masking
import NativeModel
import TestSupport
import Tokenizers
import XCTest

/// `mask --chat-format auto` on a model directory holding each real chat template of
/// `../shared/chat-templates` with a tokenizer fixture of ours (`Tests/Fixtures/chat-tokenizers`,
/// made by `scripts/chat-templates/make_tokenizers.py`): the masked set's `input_ids` equal
/// `tokenizer.apply_chat_template(..., tokenize=True)` in transformers, the response starts where the
/// paper's collator puts it (the token count of the prompt rendered with `add_generation_prompt`),
/// no sequence starts with two BOS tokens, and the conversations whose prompt is not a
/// token-aligned prefix fail with their line (`expected.json`, by `token_reference.py`).
final class ChatTemplateMaskingTests: XCTestCase {
    static let fixtures = TestPaths.fixtures.appendingPathComponent("chat-tokenizers")

    static func sharedTemplates() throws -> URL {
        let url = try TestPaths.shared().appendingPathComponent("chat-templates")
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("\(url.path) is absent") }
        return url
    }

    /// A model directory: a random one-layer Llama over the fixture tokenizer, its
    /// `tokenizer_config.json`, and the shared template as `chat_template.jinja`.
    static func modelDirectory(_ name: String, in root: URL) throws -> URL {
        let fixture = fixtures.appendingPathComponent(name)
        let tokenizer = try loadTokenizer(at: fixture.appendingPathComponent("tokenizer.json").path)
        let config = TransformerConfig(hiddenSize: 16, intermediateSize: 32, layerCount: 1, headCount: 2, kvHeadCount: 1,
                                       vocabSize: tokenizer.vocabularySize, maxPositions: 8192)
        let directory = root.appendingPathComponent(name)
        try HFCheckpointWriter.write(LlamaWeights.random(config: config, seed: 7), tokenizer: fixture.appendingPathComponent("tokenizer.json"), to: directory)
        // The writer copies tokenizer_config.json beside the tokenizer, as save_pretrained does.
        try Data(try templateSource(name).utf8).write(to: directory.appendingPathComponent("chat_template.jinja"))
        return directory
    }

    /// The model of ``modelDirectory(_:in:)``, loaded.
    static func model(_ name: String, in root: URL) throws -> NativeLanguageModel {
        try NativeLanguageModel.load(modelPath: try modelDirectory(name, in: root).path)
    }

    /// A scratch directory for model directories, removed when the test ends; skips the test
    /// when `../shared`'s chat templates are absent.
    func scratchForTemplates() throws -> URL {
        _ = try Self.sharedTemplates()
        return try scratchDirectory(prefix: "forgetbench-masking")
    }

    static func templateSource(_ name: String) throws -> String {
        let folder = try sharedTemplates().appendingPathComponent(name)
        let file = folder.appendingPathComponent("chat_template.jinja")
        if FileManager.default.fileExists(atPath: file.path) { return try String(contentsOf: file, encoding: .utf8) }
        let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("tokenizer_config.json"))) as? [String: Any])
        return try XCTUnwrap(config["chat_template"] as? String)
    }

    struct Conversation {
        var name: String
        var line: String
        var inputIDs: [Int]
        var responseStart: Int
        var prefixOK: Bool
    }

    /// The reference conversations a `{"messages": [...]}` line can express (role and content only,
    /// no tools, no template arguments).
    static func conversations(_ name: String) throws -> (templateSHA256: String, items: [Conversation]) {
        let url = fixtures.appendingPathComponent(name).appendingPathComponent("expected.json")
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var items: [Conversation] = []
        for case let entry as [String: Any] in root["conversations"] as? [Any] ?? [] {
            guard (entry["kwargs"] as? [String: Any])?.isEmpty ?? true,
                  let messages = entry["messages"] as? [[String: Any]], let response = entry["response"] as? [String: Any],
                  (messages + [response]).allSatisfy({ Set($0.keys).isSubset(of: ["role", "content"]) && $0["content"] is String }) else { continue }
            var line = String(decoding: try JSONSerialization.data(withJSONObject: ["messages": messages + [response]]), as: UTF8.self)
            if let tools = entry["tools"], !(tools is NSNull) {
                // The tools as the reference wrote them (key order matters to tojson).
                let raw = try String(contentsOf: url, encoding: .utf8)
                guard case .dict(let document) = try PythonJSON.value(from: raw), case .list(let all)? = document["conversations"],
                      let match = all.first(where: { if case .dict(let d) = $0 { return d["name"]?.pythonStr == entry["name"] as? String } else { return false } }),
                      case .dict(let matched) = match, let toolsValue = matched["tools"] else { continue }
                line = String(line.dropLast()) + ", \"tools\": " + (try PythonJSON.text(of: toolsValue)) + "}"
            }
            items.append(Conversation(name: entry["name"] as? String ?? "?", line: line,
                                      inputIDs: (entry["input_ids"] as? [Int]) ?? [], responseStart: entry["response_start"] as? Int ?? -1,
                                      prefixOK: entry["prefix_ok"] as? Bool ?? false))
        }
        return (root["template_sha256"] as? String ?? "", items)
    }

    /// The references froze `strftime_now` at 2025-01-15 12:00:00 (local time).
    override func setUp() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let frozen = calendar.date(from: DateComponents(year: 2025, month: 1, day: 15, hour: 12))!
        setenv("SOURCE_DATE_EPOCH", String(Int(frozen.timeIntervalSince1970)), 1)
    }

    override func tearDown() {
        unsetenv("SOURCE_DATE_EPOCH")
    }

    func testMaskedSetsEqualApplyChatTemplateForEveryTemplate() throws {
        let root = try scratchForTemplates()
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).sorted()
        XCTAssertEqual(names.count, 10)
        var checked = 0, refused = 0, templates = 0
        var skipped: [String] = []
        for name in names {
            let directory = try Self.modelDirectory(name, in: root)
            let model = try NativeLanguageModel.load(modelPath: directory.path)
            let (templateSHA, conversations) = try Self.conversations(name)
            XCTAssertEqual(ContentHash.sha256(try Self.templateSource(name)), templateSHA, "\(name): expected.json was made from another template")
            let good = conversations.filter(\.prefixOK)
            guard !good.isEmpty else { skipped.append(name); continue }
            templates += 1
            let input = try TestPaths.write(good.map(\.line), named: "\(name).jsonl", in: root)
            let output = root.appendingPathComponent("\(name).masked.jsonl").path
            let outcome = try waitFor { try await MaskedDatasetBuilder(native: model).run(MaskingRequest(input: input, output: output, regime: .groundTruth,
                                                                                     chatFormat: .auto, useCache: false)) }
            XCTAssertEqual(outcome.manifest.chatFormat, "template", name)
            XCTAssertEqual(outcome.manifest.chatTemplateSHA256, templateSHA, name)
            XCTAssertEqual(outcome.manifest.tokenizerSHA256,
                           ContentHash.sha256(try Data(contentsOf: directory.appendingPathComponent("tokenizer.json"))), name)
            for (example, conversation) in zip(outcome.examples, good) {
                XCTAssertEqual(example.inputIDs, conversation.inputIDs, "\(name) \(conversation.name): input_ids differ from apply_chat_template")
                let firstTrained = example.labels.firstIndex { $0 != MaskedExample.ignoreIndex }
                XCTAssertEqual(firstTrained, conversation.responseStart, "\(name) \(conversation.name): the response starts elsewhere")
                XCTAssertEqual(Array(example.labels[conversation.responseStart...]), Array(example.inputIDs[conversation.responseStart...]),
                               "\(name) \(conversation.name): every response token is trained under ground-truth")
                if let bos = model.tokenizer.bosTokenID, example.inputIDs.count > 1 {
                    XCTAssertFalse(example.inputIDs[0] == bos && example.inputIDs[1] == bos, "\(name) \(conversation.name): two BOS tokens")
                }
                checked += 1
            }
            for conversation in conversations where !conversation.prefixOK {
                let bad = try TestPaths.write([conversation.line], named: "\(name)-\(conversation.name).jsonl", in: root)
                XCTAssertThrowsError(try waitFor { try await MaskedDatasetBuilder(native: model).run(MaskingRequest(
                    input: bad, output: bad + ".out", regime: .groundTruth, chatFormat: .auto, useCache: false)) }) { error in
                    let text = String(describing: error)
                    XCTAssertTrue(text.hasPrefix(bad + ":1: "), text)
                    XCTAssertTrue(text.contains("prefix") || text.contains("rewrites"), text)
                }
                refused += 1
            }
        }
        XCTAssertEqual(skipped, [])
        XCTAssertEqual(templates, 10)
        XCTAssertGreaterThanOrEqual(checked, 70)
        XCTAssertGreaterThanOrEqual(refused, 3, "mistral's system turns, qwen3's thinking and a merged newline are refused")
    }

    func testEndOfTurnTokensCanBeLeftOutOfTheLoss() throws {
        let root = try scratchForTemplates()
        let model = try Self.model("qwen2.5-7b-instruct", in: root)
        let input = try TestPaths.write([#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello there"}]}"#],
                                        named: "one.jsonl", in: root)
        func trained(_ trainOnEndOfTurn: Bool) throws -> [Int] {
            let outcome = try waitFor { try await MaskedDatasetBuilder(native: model).run(MaskingRequest(
                input: input, output: root.appendingPathComponent("out-\(trainOnEndOfTurn).jsonl").path, regime: .groundTruth,
                chatFormat: .template, useCache: false, trainOnEndOfTurn: trainOnEndOfTurn)) }
            XCTAssertEqual(outcome.manifest.endOfTurnTrained, trainOnEndOfTurn)
            return outcome.examples[0].labels.filter { $0 != MaskedExample.ignoreIndex }
        }
        let all = try trained(true), reply = try trained(false)
        let imEnd = try XCTUnwrap(model.tokenizer.id(for: "<|im_end|>"))
        // Qwen's turn ends "<|im_end|>\n": both are trained by default and neither when masked.
        XCTAssertEqual(all.suffix(2).first, imEnd)
        XCTAssertEqual(Array(all.prefix(reply.count)), reply)
        XCTAssertEqual(all.count - reply.count, 2)
        XCTAssertFalse(reply.contains(imEnd))
    }

    /// The engine's own encoding (evaluation prompts, self-output prompts) gives rendered text
    /// that already starts with BOS no second BOS, for every template whose tokenizer adds one.
    func testRenderedTextIsNeverGivenASecondBOS() throws {
        let root = try scratchForTemplates()
        var guarded = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).sorted() {
            let model = try Self.model(name, in: root)
            let formatter = try ChatFormatter(format: .template, tokenizer: model.tokenizer, templateDirectory: model.templateDirectory)
            guard let text = try? formatter.prompt([(role: "user", content: "Hi")]).text else { continue }
            let ids = model.encode(text)
            XCTAssertEqual(ids, model.tokenizer.encode(text, addSpecialTokens: false), "\(name): the rendered text is tokenized as apply_chat_template does")
            if let bos = model.tokenizer.bosTokenID, ids.first == bos {
                XCTAssertNotEqual(ids.dropFirst().first, bos, name)
                XCTAssertEqual(model.tokenizer.encode(text, addSpecialTokens: true).prefix(2), [bos, bos], "\(name): without the guard BOS doubles")
                guarded += 1
            }
        }
        XCTAssertGreaterThanOrEqual(guarded, 4, "llama 3.x, gemma, mistral and deepseek write their BOS")
    }

    /// A fine-tuned model written from a templated base keeps the template, as `save_pretrained`
    /// keeps `tokenizer_config.json` and `chat_template.jinja` beside the tokenizer.
    func testAWrittenCheckpointKeepsItsBasesChatTemplate() throws {
        let root = try scratchForTemplates()
        let base = try Self.model("gemma-2-2b-it", in: root)
        let tuned = root.appendingPathComponent("tuned")
        try HFCheckpointWriter.write(base.transformer.weights, tokenizer: URL(fileURLWithPath: base.tokenizerPath), to: tuned)
        let reloaded = try NativeLanguageModel.load(modelPath: tuned.path)
        let formatter = try ChatFormatter(format: .auto, tokenizer: reloaded.tokenizer, templateDirectory: reloaded.templateDirectory)
        XCTAssertEqual(formatter.format, .template)
        XCTAssertEqual(formatter.template?.source, try Self.templateSource("gemma-2-2b-it"))
        XCTAssertEqual(formatter.template?.specialTokens["bos_token"], "<bos>")
    }

    func testTrainingRefusesDataMaskedWithAnotherTemplate() throws {
        let manifest = MaskedDatasetManifest(baseModel: ModelFingerprint(sha256: "a", files: []), dataSHA256: "d", input: "x.jsonl",
                                             chatFormat: "template", regime: "ground-truth", tau: nil, seed: 0, maxSeqLen: 8,
                                             counts: .init(examples: 1, responseTokens: 1, maskedTokens: 0, trainedTokens: 1),
                                             truncatedExamples: 0, baseMaskedMeanNLL: nil)
        var recorded = manifest
        recorded.tokenizerSHA256 = "t1"
        recorded.chatTemplateSHA256 = "c1"
        XCTAssertNoThrow(try recorded.verify(tokenizerSHA256: "t1", chatTemplateSHA256: "c1"))
        XCTAssertThrowsError(try recorded.verify(tokenizerSHA256: "t2", chatTemplateSHA256: "c1")) { error in
            XCTAssertTrue(String(describing: error).contains("tokenizer"), String(describing: error))
        }
        XCTAssertThrowsError(try recorded.verify(tokenizerSHA256: "t1", chatTemplateSHA256: nil)) { error in
            XCTAssertTrue(String(describing: error).contains("chat template"), String(describing: error))
        }
        // Manifests written before these fields existed are not compared.
        XCTAssertNoThrow(try manifest.verify(tokenizerSHA256: "t9", chatTemplateSHA256: "c9"))
    }
}
