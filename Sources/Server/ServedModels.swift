import Foundation
import Hummingbird
import Harness
import NativeModel

/// Every model a server answers for: the base model and the LoRA adapters loaded on top of it
/// (`serve --lora NAME=DIR`, `POST /v1/load_lora_adapter`), each under its own name. A request's
/// `model` field picks one.
///
/// Each adapter is a ``ServedModel`` of its own: the base weights with the adapter merged in (a copy
/// of the weights per adapter, so memory grows with each one), with its own continuous batch, so
/// that a request is never decoded with another model's weights. All of them run on the base
/// model's engine queue, one pass at a time, as one engine does.
public final class ServedModels: Sendable {
    /// A loaded adapter: the merged model, the directory it came from, and its files' fingerprint.
    public struct Adapter: Sendable {
        public var model: ServedModel
        /// The PEFT directory, as given.
        public var path: String
        /// sha256 of `adapter_config.json` + `adapter_model.safetensors`.
        public var fingerprint: ModelFingerprint?
    }

    /// Builds the engine of the base weights with the PEFT adapter in a directory merged in.
    public typealias AdapterLoader = @Sendable (_ directory: String) throws -> NativeLanguageModel

    /// The base model.
    public let base: ServedModel
    private let loader: AdapterLoader?
    private let state = LockedAdapters()

    /// Serves `base`; `loader` makes adapters' engines (nil: the server refuses adapters).
    public init(base: ServedModel, loader: AdapterLoader? = nil) {
        self.base = base
        self.loader = loader
    }

    /// The adapters loaded, by name, in the order they were loaded.
    public var adapters: [(name: String, adapter: Adapter)] { state.withLock { s in s.order.compactMap { n in s.byName[n].map { (n, $0) } } } }

    /// The model named `name`.
    /// - Throws: ``OpenAIError`` 400 `model_not_found` naming the models served.
    public func model(named name: String) throws -> ServedModel {
        if name == base.id { return base }
        if let adapter = state.withLock({ $0.byName[name] }) { return adapter.model }
        let names = [base.id] + adapters.map(\.name)
        throw OpenAIError.invalid("the model '\(name)' does not exist; this server serves \(names.map { "'\($0)'" }.joined(separator: ", "))",
                                  param: "model", code: "model_not_found")
    }

    /// The model a request body names in `model` (the base model when `optional` and the body has none).
    /// - Throws: ``OpenAIError`` for a missing, non-string or unknown `model`.
    func model(for body: JSONValue, optional: Bool = false) throws -> ServedModel {
        let fields = try RequestFields(body)
        if optional, fields.value("model") == nil { return base }
        return try model(named: try fields.requiredString("model"))
    }

    /// Loads the PEFT adapter in `path` as `name`: its weights merged into a copy of the base
    /// weights, on the engine queue (other requests wait while it loads).
    /// - Throws: ``OpenAIError`` 400 when `name` is taken or empty, when the server has no loader,
    ///   or when the adapter cannot be read or does not fit the base model (the message says why).
    public func load(name: String, path: String) async throws {
        guard !name.isEmpty else { throw OpenAIError.invalid("'lora_name' must not be empty", param: "lora_name") }
        guard name != base.id else {
            throw OpenAIError.invalid("the adapter name '\(name)' is the base model's; choose another", param: "lora_name")
        }
        guard let loader else {
            throw OpenAIError.invalid("this server does not load adapters", param: "lora_path")
        }
        let taken = state.withLock { s -> Bool in
            if s.byName[name] != nil || s.loading.contains(name) { return true }
            s.loading.insert(name)
            return false
        }
        guard !taken else { throw OpenAIError.invalid("The lora adapter '\(name)' has already been loaded.", param: "lora_name") }
        defer { state.withLock { _ = $0.loading.remove(name) } }
        let base = self.base
        let engine: NativeLanguageModel
        do {
            engine = try await base.onEngineQueue {
                let engine = try loader(path)
                engine.generationBatchSize = base.engine.generationBatchSize
                engine.generationCacheBudget = base.engine.generationCacheBudget
                engine.tokenBudget = base.engine.tokenBudget
                engine.maxBatchSequences = base.engine.maxBatchSequences
                return engine
            }
        } catch let error as OpenAIError {
            throw error
        } catch {
            throw OpenAIError.invalid("cannot load the adapter '\(name)' from \(path): \(error)", param: "lora_path")
        }
        let served = try ServedModel(id: name, engine: engine, chat: base.chat, sharingQueueOf: base)
        state.withLock {
            $0.byName[name] = Adapter(model: served, path: path, fingerprint: engine.adapterFingerprint)
            $0.order.append(name)
        }
    }

    /// Forgets the adapter `name` (requests already running on it finish).
    /// - Throws: ``OpenAIError`` 404 when no adapter has that name.
    public func unload(name: String) throws {
        let removed = state.withLock { s -> Bool in
            guard s.byName.removeValue(forKey: name) != nil else { return false }
            s.order.removeAll { $0 == name }
            return true
        }
        guard removed else {
            throw OpenAIError(status: .notFound, message: "The lora adapter '\(name)' cannot be found.", type: "not_found_error",
                              param: "lora_name", code: "model_not_found")
        }
    }
}

/// The adapters by name behind a lock.
private final class LockedAdapters: @unchecked Sendable {
    struct State {
        var byName: [String: ServedModels.Adapter] = [:]
        var order: [String] = []
        var loading: Set<String> = []
    }

    private var state = State()
    private let lock = NSLock()

    func withLock<T>(_ body: (inout State) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}
