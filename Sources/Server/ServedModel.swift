import Dispatch
import Foundation
import NativeModel
import Tokenizers

/// The model a server serves: the built-in engine, its public id, and one serial queue that runs
/// all engine work.
///
/// `NativeLanguageModel` is not safe to run from several threads at once (its passes share the
/// process-wide BLAS threads and the model's scratch); every scoring and generation pass runs on
/// ``engineQueue``, one at a time, off Swift's cooperative pool, so that the HTTP layer keeps
/// accepting and parsing requests while the engine works.
public final class ServedModel: Sendable {
    /// The model id clients name in `"model"` (`--model-name`, by default the checkpoint's base name).
    public let id: String
    /// When the server started serving the model (Unix seconds), reported as `created`.
    public let created: Int
    /// The engine. Touch it only inside ``withEngine(_:)``.
    public let engine: NativeLanguageModel
    /// How `/v1/chat/completions` turns messages into a prompt: the model's chat template, or a
    /// fallback format (`serve --chat-format`).
    public let chat: ChatFormatter
    private let engineQueue = DispatchQueue(label: "forgetbench.serve.engine", qos: .userInitiated)

    /// Serves `engine` as `id`; chat messages are formatted by `chat` (by default the engine's
    /// chat template, found beside its tokenizer, else plain text).
    public init(id: String, engine: NativeLanguageModel, chat: ChatFormatter? = nil, created: Int = Int(Date().timeIntervalSince1970)) throws {
        self.id = id
        self.engine = engine
        self.chat = try chat ?? ChatFormatter(format: .auto, tokenizer: engine.tokenizer, templateDirectory: engine.templateDirectory)
        self.created = created
    }

    /// The model id a path gives by default: the base name of the file or directory without its
    /// extension (`models/stories260K.bin` -> `stories260K`, `models/TinyLlama/` -> `TinyLlama`).
    public static func defaultID(forModelPath path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        let name = (exists && isDirectory.boolValue) ? url.lastPathComponent : url.deletingPathExtension().lastPathComponent
        return name.isEmpty ? "model" : name
    }

    /// The longest token sequence the model accepts (prompt plus new tokens).
    public var maxContextLength: Int { engine.maxContextLength }

    /// Runs `body` with the engine on the engine queue, after all work submitted before it.
    /// - Throws: whatever `body` throws.
    public func withEngine<T: Sendable>(_ body: @escaping @Sendable (NativeLanguageModel) throws -> T) async throws -> T {
        let engine = self.engine
        return try await withCheckedThrowingContinuation { continuation in
            engineQueue.async {
                continuation.resume(with: Result(catching: { try body(engine) }))
            }
        }
    }
}
