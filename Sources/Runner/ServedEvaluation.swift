import Foundation
import Harness
import OpenAIBackend
import Tokenizers

/// `model.kind: openai` in a run: the server that evaluates the base model and every candidate
/// (started by the run from `model.server`, or already running at `model.url`), the base model's
/// identity (the fingerprint of the local checkpoint the server serves), and each candidate's LoRA
/// adapter registered under a model id of its own (at start with `{lora_modules}` / `{lora_args}`
/// when it is trained, else through `POST /v1/load_lora_adapter`). A started server can be
/// stopped while candidates train and started again (``restart(adapters:note:)``).
final class ServedEvaluation: @unchecked Sendable {
    let serving: ExperimentSpec.Serving
    /// The API root, e.g. `http://127.0.0.1:41234/v1` (a restart may pick another port).
    private(set) var baseURL: String
    /// The server this run started and runs now, nil for a running one (or while stopped).
    private(set) var server: ManagedServer?
    /// The fingerprint of the checkpoint files the server serves (`model.path` and its tokenizer).
    let checkpoint: ModelFingerprint
    /// The context length the server reports for the base model.
    private(set) var maxContextLength: Int
    private var admin: OpenAILanguageModel
    private var stopCommand: [String]?
    private let launch: Launch

    /// What starting the server needs.
    private struct Launch {
        var base: String
        var tokenizer: String
        var maxAdapters: Int
        var log: URL
    }

    /// Whether this run starts (and stops) the server, rather than using one at `model.url`.
    var startsServer: Bool { serving.start != nil }

    /// Starts the server when the spec says how (its output appended to `log`), waits until it is
    /// ready, and checks that it serves `serving.name`.
    /// - Parameters:
    ///   - adapters: the candidates' adapters known now (`{adapters}`, `{lora_modules}`, `{lora_args}`).
    ///   - maxAdapters: `{n}`.
    /// - Throws: ``RunnerError/invalid(_:)`` when the server cannot start, is not ready in time, or
    ///   does not serve the base model.
    init(serving: ExperimentSpec.Serving, base: String, tokenizer: String, adapters: [(name: String, path: String)], maxAdapters: Int,
         log: URL, note: (String) -> Void) async throws {
        self.serving = serving
        checkpoint = try Self.checkpointFingerprint(modelPath: base, tokenizerPath: tokenizer)
        launch = Launch(base: base, tokenizer: tokenizer, maxAdapters: maxAdapters, log: log)
        let up = try await Self.bringUp(serving: serving, launch: launch, adapters: adapters, note: note)
        (baseURL, server, stopCommand, admin, maxContextLength) = (up.url, up.server, up.stop, up.admin, up.maxContextLength)
    }

    /// Stops the server this run started (nothing for a running one).
    func stop() {
        server?.stop(command: stopCommand)
        server = nil
    }

    /// Starts the server again after ``stop()`` (for example once the candidates are trained, so that
    /// training had the accelerators to itself), with `adapters` registered at start.
    /// - Throws: as the initializer.
    func restart(adapters: [(name: String, path: String)], note: (String) -> Void) async throws {
        stop()
        let up = try await Self.bringUp(serving: serving, launch: launch, adapters: adapters, note: note)
        (baseURL, server, stopCommand, admin, maxContextLength) = (up.url, up.server, up.stop, up.admin, up.maxContextLength)
    }

    private struct Up {
        var url: String
        var server: ManagedServer?
        var stop: [String]?
        var admin: OpenAILanguageModel
        var maxContextLength: Int
    }

    /// Starts the server (when the spec says how), waits for it, and checks it serves the base model.
    private static func bringUp(serving: ExperimentSpec.Serving, launch: Launch, adapters: [(name: String, path: String)],
                                note: (String) -> Void) async throws -> Up {
        var port = serving.port ?? 0
        var started: ManagedServer?
        var stop: [String]?
        let url: String
        if let start = serving.start {
            if port == 0 { port = try ManagedServer.freePort() }
            let command = try ServerCommand(start)
            let arguments = command.arguments(base: launch.base, tokenizer: launch.tokenizer, name: serving.name, port: port,
                                              maxAdapters: launch.maxAdapters, adapters: adapters)
            url = ServerCommand.url(serving.url ?? "http://127.0.0.1:{port}/v1", port: port)
            note("  starting the server: \(arguments.map(TrainerCommand.quoted).joined(separator: " ")) (log: \(launch.log.path))")
            stop = try serving.stop.map { try TrainerCommand.split(ServerCommand.url($0, port: port)) }
            let server = try ManagedServer(arguments: arguments, log: launch.log)
            started = server
            let readyURL = ServerCommand.url(serving.ready ?? url + "/models", port: port)
            let begun = Date()
            do {
                try await server.waitUntilReady(url: readyURL, timeout: serving.readyTimeout)
            } catch {
                server.stop(command: stop)
                throw error
            }
            note(String(format: "  the server is ready at %@ (%.1f s)", url, Date().timeIntervalSince(begun)))
        } else {
            url = serving.url ?? ""
        }
        let client = try OpenAILanguageModel(settings: OpenAIClientSettings(baseURL: url, modelName: serving.name, concurrency: 1))
        let listed: [ListedModel]
        do {
            listed = try await client.listModels()
        } catch {
            started?.stop(command: stop)
            throw RunnerError.invalid("model.kind openai: GET \(url)/models failed: \(error)")
        }
        guard let entry = listed.first(where: { $0.id == serving.name }) else {
            started?.stop(command: stop)
            throw RunnerError.invalid("the server at \(url) does not serve '\(serving.name)' (model.name); it serves \(listed.map { "'\($0.id)'" }.joined(separator: ", "))")
        }
        return Up(url: url, server: started, stop: stop, admin: client, maxContextLength: entry.maxModelLength ?? (1 << 20))
    }

    /// The model id of a candidate's adapter: `NAME-REGIME-seedN` (`tiny-stm-2.5-seed1`).
    func adapterName(regime: String, seed: UInt64) -> String { Self.adapterName(base: serving.name, regime: regime, seed: seed) }

    /// The model id of the adapter of `regime` and `seed` beside the base model `base`.
    static func adapterName(base: String, regime: String, seed: UInt64) -> String { "\(base)-\(ExperimentLayout.slug(regime))-seed\(seed)" }

    /// The client of model id `name` (the base model's or an adapter's), whose fingerprint is the
    /// checkpoint's (with the adapter's) rather than the server's address.
    func model(name: String, adapter: ModelFingerprint? = nil) throws -> ServedLanguageModel {
        let settings = OpenAIClientSettings(baseURL: baseURL, modelName: name, concurrency: serving.concurrency, batchSize: serving.batchSize,
                                            requestTimeout: 600)
        return ServedLanguageModel(client: try OpenAILanguageModel(settings: settings, maxContextLength: maxContextLength),
                                   fingerprint: Self.servedFingerprint(checkpoint: checkpoint, adapter: adapter))
    }

    /// Makes sure the server serves the adapter in `path` as `name` (loading it when it does not).
    /// - Throws: ``RunnerError/invalid(_:)`` with the server's reason when it cannot load it.
    func ensureAdapter(name: String, path: String) async throws {
        if try await admin.listModels().contains(where: { $0.id == name }) { return }
        do {
            try await admin.loadLoRAAdapter(name: name, path: path)
        } catch {
            throw RunnerError.invalid("the server at \(baseURL) cannot load the adapter \(path) as '\(name)': \(error)")
        }
    }

    /// Checks that the server tokenizes as `tokenizer` does (its `/tokenize`), since masking sends
    /// it token ids. Returns false when the server cannot say.
    func checkTokenizer(_ tokenizer: any Tokenizer, sample: String) async throws -> Bool {
        let probe = "ForgetBench tokenizer check: The quick brown fox jumps over 13 lazy dogs; 12345 + 678 = 13023.\n" + sample
        return try await admin.checkTokenizer(probe: probe, expected: tokenizer.encode(probe, addSpecialTokens: true))
    }

    /// The fingerprint of a Hugging Face directory (`config.json`, `*.safetensors`) or a llama2.c
    /// `.bin`, with its tokenizer file: the files the built-in engine fingerprints, so the same
    /// checkpoint has the same fingerprint served or in-process.
    static func checkpointFingerprint(modelPath: String, tokenizerPath: String) throws -> ModelFingerprint {
        let url = URL(fileURLWithPath: modelPath)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw RunnerError.invalid("model \(modelPath) does not exist")
        }
        let weights: [URL]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            weights = names.filter { $0.hasSuffix(".safetensors") || $0 == "config.json" }.sorted().map { url.appendingPathComponent($0) }
        } else {
            weights = [url]
        }
        return try ModelFingerprint.of(files: weights + [URL(fileURLWithPath: tokenizerPath)])
    }

    /// What identifies a served model in caches and results: the checkpoint's (and the adapter's)
    /// fingerprint, marked as served (served scores agree with in-process ones to 1e-4, not bit for bit).
    static func servedFingerprint(checkpoint: ModelFingerprint, adapter: ModelFingerprint?) -> ModelFingerprint {
        let parts = ["openai-served", checkpoint.sha256, adapter?.sha256 ?? ""]
        return ModelFingerprint(sha256: ContentHash.sha256(Data(parts.joined(separator: "\u{0}").utf8)),
                                files: ["served:"] + checkpoint.files + (adapter?.files ?? []))
    }
}

/// A served model under a fingerprint of its weights (``ServedEvaluation``): every request goes to
/// the OpenAI client.
struct ServedLanguageModel: LanguageModel {
    let client: OpenAILanguageModel
    let fingerprint: ModelFingerprint
    var maxContextLength: Int { client.maxContextLength }

    func loglikelihood(_ requests: [LoglikelihoodRequest]) async throws -> [LoglikelihoodResponse] { try await client.loglikelihood(requests) }
    func loglikelihoodRolling(_ requests: [RollingLoglikelihoodRequest]) async throws -> [RollingLoglikelihoodResponse] {
        try await client.loglikelihoodRolling(requests)
    }
    func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] { try await client.generate(requests) }
    func tokenLogprobs(_ requests: [TokenLogprobsRequest]) async throws -> [TokenLogprobsResponse] { try await client.tokenLogprobs(requests) }
}
