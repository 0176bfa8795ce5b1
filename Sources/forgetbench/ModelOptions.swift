import ArgumentParser
import NativeModel

/// The options every command that loads a model shares.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A Hugging Face model directory (config.json, model.safetensors or shards, tokenizer.json) or a llama2.c .bin checkpoint.",
        valueName: "path"))
    var model: String

    @Option(name: .long, help: ArgumentHelp(
        "Tokenizer file: tokenizer.json or llama2.c's tokenizer.bin. Default: tokenizer.json in the model directory, or tokenizer.bin (or a single tok*.bin) beside a .bin checkpoint.",
        valueName: "path"))
    var tokenizer: String?

    @Option(name: .long, help: ArgumentHelp(
        "A PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors) merged into the model.",
        valueName: "dir"))
    var adapter: String?

    @Option(name: .long, help: "Threads for matrix products (default: all cores).")
    var threads: Int?

    func load() throws -> NativeLanguageModel {
        if let threads { EngineSettings.setThreadCount(threads) }
        return try NativeLanguageModel.load(modelPath: model, tokenizerPath: tokenizer, adapterPath: adapter)
    }
}
