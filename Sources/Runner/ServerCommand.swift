import Foundation

/// The command line that starts an inference server for `model.kind: openai` (`model.server.start`),
/// e.g. `vllm serve {base} --served-model-name {name} --port {port} --enable-lora --max-loras {n} {lora_modules}`
/// or `forgetbench serve --model {base} --served-model-name {name} --port {port} {lora_args}`.
///
/// Split into words as ``TrainerCommand`` splits (shell quoting, no shell). Placeholders inside a
/// word: `{base}` (the model path), `{tokenizer}` (its tokenizer file), `{name}` (the base model's
/// id), `{port}`, `{n}` (the most adapters the run serves: its candidates). Placeholders that
/// stand alone as a word and become several words (none when no adapter is known yet):
/// `{adapters}` (`NAME=PATH` per adapter), `{lora_modules}` (`--lora-modules NAME=PATH ...`, vLLM),
/// `{lora_args}` (`--lora NAME=PATH` per adapter, `forgetbench serve`).
public struct ServerCommand: Hashable, Sendable {
    public var template: String
    public var words: [String]

    public static let placeholders = ["base", "tokenizer", "name", "port", "n"]
    public static let listPlaceholders = ["adapters", "lora_modules", "lora_args"]

    /// Splits `template`. Throws ``RunnerError/invalid(_:)`` for an unterminated quote, an empty
    /// command, an unknown placeholder, or a list placeholder inside a longer word.
    public init(_ template: String) throws {
        self.template = template
        words = try TrainerCommand.split(template)
        guard !words.isEmpty else { throw RunnerError.invalid("the server command is empty") }
        let known = (Self.placeholders + Self.listPlaceholders).map { "{\($0)}" }.joined(separator: ", ")
        for word in words {
            var rest = Substring(word)
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                let name = String(rest[rest.index(after: open) ..< close])
                if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0 == "_" }) {
                    if Self.listPlaceholders.contains(name) {
                        guard word == "{\(name)}" else {
                            throw RunnerError.invalid("the server command's {\(name)} must stand alone as a word (it becomes one word per adapter), in '\(word)'")
                        }
                    } else if !Self.placeholders.contains(name) {
                        throw RunnerError.invalid("the server command names an unknown placeholder {\(name)} (known: \(known))")
                    }
                }
                rest = rest[rest.index(after: close)...]
            }
        }
    }

    /// Replaces `{port}` in a URL template.
    public static func url(_ template: String, port: Int) -> String {
        template.replacingOccurrences(of: "{port}", with: String(port))
    }

    /// The arguments with every placeholder replaced; `adapters` are `(name, directory)` in order.
    /// `port` nil leaves `{port}` as written (for plans).
    public func arguments(base: String, tokenizer: String, name: String, port: Int?, maxAdapters: Int,
                          adapters: [(name: String, path: String)]) -> [String] {
        var values = ["base": base, "tokenizer": tokenizer, "name": name, "n": String(max(1, maxAdapters))]
        if let port { values["port"] = String(port) }
        let pairs = adapters.map { "\($0.name)=\($0.path)" }
        return words.flatMap { word -> [String] in
            switch word {
            case "{adapters}": return pairs
            case "{lora_modules}": return pairs.isEmpty ? [] : ["--lora-modules"] + pairs
            case "{lora_args}": return pairs.flatMap { ["--lora", $0] }
            default:
                var result = word
                for (name, value) in values { result = result.replacingOccurrences(of: "{\(name)}", with: value) }
                return [result]
            }
        }
    }
}
