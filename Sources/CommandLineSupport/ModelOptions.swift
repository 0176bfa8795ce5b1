import ArgumentParser
import Foundation
import NativeModel

/// The options every command that loads a model shares.
public struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A Hugging Face model directory (config.json, model.safetensors or shards, tokenizer.json) or a llama2.c .bin checkpoint. For eval also openai:URL, an OpenAI-compatible server (e.g. openai:http://127.0.0.1:8000/v1; needs --model-name).",
        valueName: "path"))
    public var model: String

    @Option(name: .long, help: ArgumentHelp(
        "Tokenizer file: tokenizer.json or llama2.c's tokenizer.bin. Default: tokenizer.json in the model directory, or tokenizer.bin (or a single tok*.bin) beside a .bin checkpoint.",
        valueName: "path"))
    public var tokenizer: String?

    @Option(name: .long, help: ArgumentHelp(
        "A PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors) merged into the model.",
        valueName: "dir"))
    public var adapter: String?

    @Option(name: .long, help: "Threads for matrix products (default: all cores).")
    public var threads: Int?

    public init() {}

    /// The prefix of a remote model's `--model`.
    public static let openAIPrefix = "openai:"

    /// Whether `--model` names an OpenAI-compatible server.
    public var isRemote: Bool { model.hasPrefix(Self.openAIPrefix) }

    /// The built-in engine (train, mask, generate, perplexity): a local checkpoint only.
    public func load() throws -> NativeLanguageModel {
        if isRemote {
            throw ModelOptionsError("--model \(model): this command needs a local checkpoint (a Hugging Face directory or a llama2.c .bin); openai: models can only be evaluated (forgetbench eval)")
        }
        if let threads { EngineSettings.setThreadCount(threads) }
        return try NativeLanguageModel.load(modelPath: model, tokenizerPath: tokenizer, adapterPath: adapter)
    }
}

/// A model option that cannot work; the description is the one-line message.
public struct ModelOptionsError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
