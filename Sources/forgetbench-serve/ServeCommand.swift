import ArgumentParser
import CommandLineSupport
import Foundation
import NativeModel
import Server
import Tokenizers

/// `forgetbench serve` (the `forgetbench-serve` program): the built-in engine behind an
/// OpenAI-compatible HTTP API.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forgetbench serve",
        abstract: "Serve a model through an OpenAI-compatible HTTP API (/v1/completions, /v1/chat/completions, /v1/models).",
        discussion: """
        Loads the model once and answers OpenAI-style requests with the built-in engine until \
        interrupted (Ctrl-C or SIGTERM). When the socket is bound it prints exactly one line to \
        stdout, `forgetbench serve: listening on http://HOST:PORT/v1` (the actual port with --port 0); \
        server logs go to stderr.

        Routes:
          GET  /v1/models            the served model (id = --served-model-name)
          POST /v1/completions       prompt (string, list or token ids), echo,
                                     max_tokens (default 16), logprobs N,
                                     temperature (default 1), top_p, seed,
                                     stop, n=1, stream
          POST /v1/chat/completions  messages, the same sampling fields,
                                     logprobs, top_logprobs, stream
          POST /tokenize             {model, prompt} -> {tokens, count, max_model_len}
          POST /detokenize           {model, tokens} -> {prompt}
          POST /v1/load_lora_adapter {lora_name, lora_path}: serve a PEFT adapter
          POST /v1/unload_lora_adapter {lora_name}
          GET  /health

        LoRA adapters (as vLLM's --lora-modules and /v1/load_lora_adapter): --lora NAME=DIR, \
        repeatable, serves the PEFT adapter in DIR (adapter_config.json + adapter_model.safetensors) \
        under the model id NAME beside the base model; a request's "model" picks the base model or \
        an adapter, and /v1/models lists them all (an adapter with root, parent and fingerprint). \
        Each adapter is merged into its own copy of the base weights (memory grows by one model \
        per adapter) and decodes in its own batch, so requests for different adapters never share \
        weights; all of them take turns on one engine.

        max_tokens 0 with echo scores the prompt only (up to the context + 1 tokens). Chat messages (with tools) become one prompt \
        through the model's chat template, as mask formats training data; a model without one gets \
        its messages' contents joined by newlines (--chat-format picks a fallback). stream: true sends server-sent events as the \
        engine generates (not together with logprobs).

        Echoed log-probs: the first token (BOS) has a null log-prob and the text "" at offset 0; \
        text_offset counts Unicode code points into the choice's text (with echo, the prompt as \
        sent). To score a continuation after a context as the in-process engine does, strip the \
        context's trailing spaces (they belong to the continuation, as in lm-evaluation-harness) and \
        sum the log-probs of tokens whose text_offset is at or after the stripped context's length.

        Errors are OpenAI error objects {"error": {"message", "type", "param", "code"}}: 400 for a \
        malformed request (bad JSON, wrong or missing fields, unknown model, negative max_tokens, \
        logprobs out of range, prompt tokens + max_tokens over the model's context), 413 for a body \
        over --max-request-bytes, 404 for an unknown route. Requests are accepted concurrently, and \
        their generations decode together in one continuous batch (--max-num-seqs sequences at a time, \
        default 16; later ones wait for a free slot); each gets exactly what it would get alone.

        The server listens on 127.0.0.1 unless --host says otherwise (use --host 0.0.0.0 to accept \
        other machines; there is no authentication).

        Examples:
          forgetbench serve --model ../shared/models/stories260K/stories260K.bin --port 8000
          curl -s http://127.0.0.1:8000/v1/completions -H 'Content-Type: application/json' \\
            -d '{"model": "stories260K", "prompt": "Once upon a time", "max_tokens": 32, "temperature": 0}'
        """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Address to listen on. The default accepts local connections only; 0.0.0.0 accepts any.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free port (printed in the listening line).")
    var port: Int = 8000

    @OptionGroup var servedModelName: RenamedOption<ServedModelName, String>
    var modelName: String? { servedModelName.value }

    @OptionGroup var chat: ChatFormatOption

    @Option(name: .customLong("max-request-bytes"), help: "Largest request body accepted, in bytes; larger bodies get HTTP 413.")
    var maxRequestBytes: Int = 8 << 20

    @Option(name: .customLong("max-tokens-limit"), help: "Largest max_tokens a request may ask for (default: only the model's context limits it).")
    var maxTokensLimit: Int?

    @OptionGroup var maxNumSeqs: RenamedOption<MaxNumSeqs, Int>
    var batchSize: Int { maxNumSeqs.value ?? 16 }

    @Option(name: .customLong("lora"), help: ArgumentHelp("Serve a PEFT LoRA adapter directory under the model id NAME (repeatable), as vLLM's --lora-modules NAME=PATH. More can be loaded while serving: POST /v1/load_lora_adapter {\"lora_name\", \"lora_path\"}.", valueName: "NAME=DIR"))
    var loras: [String] = []

    @Option(name: .customLong("kv-cache-tokens"), help: ArgumentHelp("The most KV-cache positions the batch holds at once (each sequence needs its prompt + max_tokens, capped at the context); requests wait rather than fail when it is full. Default: no limit beyond --max-num-seqs.", valueName: "n"))
    var kvCacheTokens: Int?

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--max-num-seqs must be at least 1, got \(batchSize)") }
        if let kvCacheTokens, kvCacheTokens < 1 { throw ValidationError("--kv-cache-tokens must be at least 1, got \(kvCacheTokens)") }
        guard (0 ... 65535).contains(port) else { throw ValidationError("--port must be within 0...65535, got \(port)") }
        guard maxRequestBytes > 0 else { throw ValidationError("--max-request-bytes must be positive, got \(maxRequestBytes)") }
        if let maxTokensLimit, maxTokensLimit < 0 { throw ValidationError("--max-tokens-limit must be 0 or more, got \(maxTokensLimit)") }
        if let modelName, modelName.isEmpty { throw ValidationError("--served-model-name must not be empty") }
        var names = Set<String>()
        for lora in loras {
            guard let (name, _) = Self.splitLoRA(lora) else { throw ValidationError("--lora \(lora): expected NAME=DIR (a model id, '=', a PEFT adapter directory)") }
            guard names.insert(name).inserted else { throw ValidationError("--lora \(lora): the name '\(name)' is given twice") }
        }
        if !loras.isEmpty, modelOptions.adapter != nil {
            throw ValidationError("--adapter merges one adapter into the base model; with --lora, serve the base model and name each adapter with --lora")
        }
    }

    /// `NAME=DIR` split at the first `=`, or nil when either side is empty.
    static func splitLoRA(_ text: String) -> (String, String)? {
        guard let eq = text.firstIndex(of: "=") else { return nil }
        let name = String(text[..<eq]), dir = String(text[text.index(after: eq)...])
        return name.isEmpty || dir.isEmpty ? nil : (name, dir)
    }

    func run() async throws {
        let engine = try modelOptions.load()
        engine.generationBatchSize = batchSize
        engine.generationCacheBudget = kvCacheTokens
        let chat: ChatFormatter
        do {
            chat = try ChatFormatter(format: self.chat.chatFormat, tokenizer: engine.tokenizer, templateDirectory: engine.templateDirectory)
        } catch let error as ChatFormatError {
            throw ServeError(description: error.message)
        }
        let served = try ServedModel(id: modelName ?? ServedModel.defaultID(forModelPath: modelOptions.model), engine: engine, chat: chat)
        let modelPath = modelOptions.model, tokenizerPath = modelOptions.tokenizer
        let models = ServedModels(base: served) { directory in
            try NativeLanguageModel.load(modelPath: modelPath, tokenizerPath: tokenizerPath, adapterPath: directory)
        }
        for lora in loras {
            let (name, directory) = Self.splitLoRA(lora)!
            do {
                try await models.load(name: name, path: directory)
            } catch let error as OpenAIError {
                throw ServeError(description: "--lora \(lora): \(error.message)")
            }
        }
        let server = OpenAIServer(models: models, limits: RequestLimits(maxRequestBytes: maxRequestBytes, maxTokensLimit: maxTokensLimit))
        let host = self.host
        do {
            let notice = chat.notice
            try await server.run(host: host, port: port) { boundPort in
                // Said once the server is up, so a failure to bind stays one line.
                if let notice { FileHandle.standardError.write(Data("note: \(notice)\n".utf8)) }
                let line = "forgetbench serve: listening on \(OpenAIServer.baseURL(host: host, port: boundPort))\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
        } catch {
            throw ServeError(description: "cannot serve on \(host):\(port): \(String(describing: error).replacingOccurrences(of: "\n", with: " "))")
        }
    }
}

/// A failure to bind or run the server, as one line.
struct ServeError: Error, CustomStringConvertible {
    var description: String
}

/// `--served-model-name` (vLLM's name), formerly `--model-name` (which now means only the id a client asks for).
enum ServedModelName: RenamedOptionNames {
    static let name = "served-model-name"
    static let oldName = "model-name"
    static let note = "a client's --model-name is the id it asks a server for"
    static let help = ArgumentHelp("The model id clients send in \"model\", as vLLM's --served-model-name (default: the checkpoint's file or directory name without extension, e.g. stories260K).", valueName: "id")
}

/// `--max-num-seqs` (vLLM's name), formerly `--batch-size` (which now means only the training micro-batch).
enum MaxNumSeqs: RenamedOptionNames {
    static let name = "max-num-seqs"
    static let oldName = "batch-size"
    static let note = "--batch-size is the training micro-batch of train and pretrain"
    static let help = ArgumentHelp("Sequences decoded together, as vLLM's --max-num-seqs: concurrent requests' generations share one continuous batch of this many; later ones wait for a slot. Outputs never depend on it. Default: 16.", valueName: "n")
}
