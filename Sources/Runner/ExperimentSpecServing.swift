import Foundation

extension ExperimentSpec {
    /// `model.kind: openai`: the base model and every candidate are evaluated through one
    /// OpenAI-compatible server (vLLM, SGLang, `forgetbench serve`), each candidate's LoRA adapter
    /// under its own model id. `model.path` stays the local checkpoint the server serves: the
    /// trainer's base, the tokenizer and the chat template.
    ///
    /// ```yaml
    /// model:
    ///   kind: openai
    ///   path: ../models/tiny            # what the server serves ({base})
    ///   name: tiny                      # the base model's id on the server
    ///   server:                         # or url: http://HOST:PORT/v1 of a running server
    ///     start: vllm serve {base} --served-model-name {name} --port {port} --enable-lora --max-loras {n} {lora_modules}
    ///     ready: http://127.0.0.1:{port}/v1/models   # default: URL/models
    ///     timeout: 900                  # seconds to wait for it
    ///     stop: null                    # default: SIGTERM to the process group started
    ///   concurrency: 8
    ///   batch_size: 8
    /// ```
    public struct Serving: Codable, Hashable, Sendable {
        /// The base model's id on the server (`model` of its requests).
        public var name: String
        /// The API root, e.g. `http://127.0.0.1:8000/v1` (may hold `{port}`); default with a
        /// `server` block: `http://127.0.0.1:{port}/v1`.
        public var url: String?
        /// The command that starts the server (``ServerCommand``), or nil for a running server.
        public var start: String?
        /// The URL polled until it answers 2xx (may hold `{port}`); nil: `URL/models`.
        public var ready: String?
        /// Seconds to wait for readiness.
        public var readyTimeout: Double
        /// A command that stops the server; nil: SIGTERM to the process group started (SIGKILL 20 s later).
        public var stop: String?
        /// The port `{port}` stands for; nil: a free port.
        public var port: Int?
        /// Requests in flight at once.
        public var concurrency: Int
        /// Prompts per log-likelihood request (and sequences per scoring request).
        public var batchSize: Int

        public init(name: String, url: String? = nil, start: String? = nil, ready: String? = nil, readyTimeout: Double = 600,
                    stop: String? = nil, port: Int? = nil, concurrency: Int = 8, batchSize: Int = 8) {
            self.name = name
            self.url = url
            self.start = start
            self.ready = ready
            self.readyTimeout = readyTimeout
            self.stop = stop
            self.port = port
            self.concurrency = concurrency
            self.batchSize = batchSize
        }
    }
}
