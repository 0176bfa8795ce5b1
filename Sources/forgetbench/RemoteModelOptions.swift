import ArgumentParser
import CommandLineSupport
import Foundation
import Harness
import NativeModel
import OpenAIBackend
import Runner
import Tokenizers

extension ModelOptions {
    /// The model that scores a training set for masking, with the tokenizer that makes its ids: the
    /// built-in engine, or a server (`--model openai:URL --model-name M --tokenizer FILE`, where the
    /// tokenizer must be the served model's: the server is sent token ids).
    func loadForScoring(remote: RemoteModelOptions) throws -> (model: any LanguageModel, tokenizer: any Tokenizer, tokenizerPath: String,
                                                                close: @Sendable () async -> Void) {
        guard isRemote else {
            let native = try load()
            return (native, native.tokenizer, native.tokenizerPath, {})
        }
        guard var path = tokenizer else {
            throw ModelOptionsError("--model \(model): scoring through a server needs --tokenizer, the served model's tokenizer.json (or its directory), to make the token ids sent")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            path = URL(fileURLWithPath: path).appendingPathComponent("tokenizer.json").path
        }
        if adapter != nil { throw ModelOptionsError("--adapter applies to local checkpoints, not to \(model) (serve the adapter instead)") }
        let openAI = try OpenAILanguageModel(settings: try remote.settings(baseURL: String(model.dropFirst(Self.openAIPrefix.count))))
        return (openAI, try loadTokenizer(at: path), path, { await openAI.shutdown() })
    }

    /// The model of an evaluation: the built-in engine, or an OpenAI-compatible server with `remote`'s settings.
    func loadForEvaluation(remote: RemoteModelOptions) throws -> EvaluationModel {
        guard isRemote else {
            let native = try load()
            if let batchSize = remote.batchSize {
                native.maxBatchSequences = batchSize
                native.generationBatchSize = batchSize
            }
            return EvaluationModel(model: native, record: ModelRecord(source: model, engine: "native", fingerprint: native.fingerprint,
                                                                       adapter: native.adapterFingerprint), remote: nil)
        }
        if adapter != nil || tokenizer != nil {
            throw ModelOptionsError("--adapter and --tokenizer apply to local checkpoints, not to \(model) (the server loads its own)")
        }
        let settings = try remote.settings(baseURL: String(model.dropFirst(Self.openAIPrefix.count)))
        let openAI = try OpenAILanguageModel(settings: settings)
        let record = ModelRecord(source: model, engine: "openai", fingerprint: openAI.fingerprint, name: settings.modelName,
                                 revision: settings.revision, notes: openAI.fingerprintNote.map { [$0] })
        return EvaluationModel(model: openAI, record: record, remote: openAI)
    }
}

/// How to use an OpenAI-compatible server (`--model openai:URL`).
struct RemoteModelOptions: ParsableArguments {
    @Option(name: .customLong("model-name"), help: ArgumentHelp("The server's model id (the requests' 'model' field); required with --model openai:URL.", valueName: "id"))
    var modelName: String?

    @Option(name: .customLong("api-key-env"), help: ArgumentHelp("The environment variable holding the API key, sent as 'Authorization: Bearer' (never printed or recorded).", valueName: "VAR"))
    var apiKeyEnv: String?

    @Option(name: .customLong("model-revision"), help: ArgumentHelp("The revision of the weights the server serves; makes the model's fingerprint stable across runs.", valueName: "rev"))
    var modelRevision: String?

    @Option(help: "Requests in flight at once to the server.")
    var concurrency: Int = 8

    @OptionGroup var evalBatchSize: RenamedOption<EvalBatchSize, Int>

    /// `--eval-batch-size` (or the deprecated `--batch-size`).
    var batchSize: Int? { evalBatchSize.value }

    @Option(name: .customLong("request-timeout"), help: "Seconds one HTTP request may take before it is retried.")
    var requestTimeout: Double = 60

    @Option(name: .customLong("max-retries"), help: "Retries of a request that failed with 408/409/429/5xx, a reset connection or a timeout (exponential backoff with jitter).")
    var maxRetries: Int = 6

    @Flag(name: .customLong("truncate-prompts"), help: "Have the server keep the end of a generation prompt that does not fit its context with max_tokens (vLLM's truncate_prompt_tokens: -1), as the built-in engine does.")
    var truncatePrompts = false

    @Option(name: .customLong("generation-api"), help: ArgumentHelp("Endpoint of generate_until tasks: completions (raw prompt) or chat (the server's chat template).", valueName: "completions|chat"))
    var generationAPI: String = GenerationAPI.completions.rawValue

    func validate() throws {
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1, got \(concurrency)") }
        if let batchSize, batchSize < 1 { throw ValidationError("--eval-batch-size must be at least 1, got \(batchSize)") }
        if !(requestTimeout > 0) { throw ValidationError("--request-timeout must be positive, got \(requestTimeout)") }
        if maxRetries < 0 { throw ValidationError("--max-retries must be 0 or more, got \(maxRetries)") }
        if GenerationAPI(rawValue: generationAPI) == nil { throw ValidationError("--generation-api must be completions or chat, got '\(generationAPI)'") }
    }

    /// The client settings for `baseURL`; reads the API key from the named environment variable.
    func settings(baseURL: String) throws -> OpenAIClientSettings {
        guard let modelName, !modelName.isEmpty else {
            throw ModelOptionsError("--model openai:\(baseURL) needs --model-name (the server's model id)")
        }
        var key: APIKey?
        if let apiKeyEnv {
            guard let value = ProcessInfo.processInfo.environment[apiKeyEnv], !value.isEmpty else {
                throw ModelOptionsError("--api-key-env \(apiKeyEnv): that environment variable is not set or empty")
            }
            key = APIKey(value)
        }
        var settings = OpenAIClientSettings(baseURL: baseURL, modelName: modelName, apiKey: key, revision: modelRevision,
                                            concurrency: concurrency, batchSize: batchSize ?? 1, requestTimeout: requestTimeout,
                                            retry: RetryPolicy(maxRetries: maxRetries), generationAPI: GenerationAPI(rawValue: generationAPI) ?? .completions)
        settings.truncatePrompts = truncatePrompts
        return settings
    }
}

/// A model ready to evaluate and what results record about it.
struct EvaluationModel {
    var model: any LanguageModel
    var record: ModelRecord
    /// Set for an OpenAI-compatible server.
    var remote: OpenAILanguageModel?

    /// Fails before any work when the server cannot run some of `tasks` (see `OpenAILanguageModel.checkCanEvaluate`).
    func checkCanEvaluate(_ tasks: [any EvaluationTask]) async throws {
        try await remote?.checkCanEvaluate(tasks)
    }

    /// Releases the server connections.
    func close() async { await remote?.shutdown() }
}

/// `--eval-batch-size`, formerly `--batch-size` (which now means only the training micro-batch).
enum EvalBatchSize: RenamedOptionNames {
    static let name = "eval-batch-size"
    static let oldName = "batch-size"
    static let note = "--batch-size is the training micro-batch of train and pretrain"
    static let help = ArgumentHelp(
        "Sequences per model call when evaluating or scoring: per forward pass and decoded together (built-in engine; default: as many as fit 4,096 tokens, and 16), or prompts per log-likelihood request (servers that accept a list of prompts; default 1). Scores never depend on it.",
        valueName: "n")
}
