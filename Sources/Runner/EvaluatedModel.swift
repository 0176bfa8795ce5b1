import Foundation
import Harness
import NativeModel
import RunStore
import Tokenizers

/// A model a run evaluates or scores with: the built-in engine or a served model, with the
/// tokenizer and chat-template directory that format its prompts, and the key of its answers in
/// the response cache (fingerprint plus adapter).
struct EvaluatedModel: Sendable {
    var model: any LanguageModel
    var tokenizer: any Tokenizer
    var tokenizerPath: String
    var templateDirectory: URL?
    var cacheKey: String

    /// A served (or any) model whose prompts are formatted with the tokenizer at `tokenizerPath`.
    init(model: any LanguageModel, tokenizer: any Tokenizer, tokenizerPath: String, templateDirectory: URL?) {
        self.model = model
        self.tokenizer = tokenizer
        self.tokenizerPath = tokenizerPath
        self.templateDirectory = templateDirectory
        cacheKey = CachingLanguageModel.key(fingerprint: model.fingerprint)
    }

    /// The built-in engine, keyed by its weights and adapter.
    init(_ native: NativeLanguageModel) {
        model = native
        tokenizer = native.tokenizer
        tokenizerPath = native.tokenizerPath
        templateDirectory = native.templateDirectory
        cacheKey = CachingLanguageModel.key(fingerprint: native.fingerprint, adapter: native.adapterFingerprint)
    }
}

extension ExperimentRunner {
    /// The tokenizer file of a checkpoint: the one given, else `tokenizer.json` in a model directory
    /// (or `tokenizer.bin` there), else `tokenizer.bin` beside a llama2.c `.bin`.
    /// - Throws: ``RunnerError/invalid(_:)`` when there is none.
    static func tokenizerFile(model: String, tokenizer: String?) throws -> String {
        if let tokenizer { return tokenizer }
        let url = URL(fileURLWithPath: model)
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        let directory = isDirectory.boolValue ? url : url.deletingLastPathComponent()
        let candidates = isDirectory.boolValue ? ["tokenizer.json", "tokenizer.bin"] : ["tokenizer.bin"]
        for name in candidates where FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) {
            return directory.appendingPathComponent(name).path
        }
        throw RunnerError.invalid("\(model): no tokenizer file found (give model.tokenizer)")
    }
}
