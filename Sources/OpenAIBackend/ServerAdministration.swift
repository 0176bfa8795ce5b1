import Foundation

/// A model a server lists in `GET /v1/models`: the base model or a LoRA adapter (vLLM and
/// `forgetbench serve` give an adapter's `parent` and `root`).
public struct ListedModel: Sendable, Equatable {
    /// The id requests name in `model`.
    public var id: String
    /// The server's context length for it (`max_model_len`), when it says.
    public var maxModelLength: Int?
    /// For an adapter: the base model's id.
    public var parent: String?
    /// For an adapter: the directory it was loaded from.
    public var root: String?
}

extension OpenAILanguageModel {
    /// `GET /models`: what the server serves.
    /// - Throws: `OpenAIBackendError` (transport, status, or an answer without `data`).
    public func listModels() async throws -> [ListedModel] {
        let url = http.url("/models")
        let data = try await http.send(url: url, body: nil)
        struct Listing: Decodable {
            struct Entry: Decodable {
                var id: String
                var max_model_len: Int?
                var parent: String?
                var root: String?
            }
            var data: [Entry]
        }
        do {
            return try JSONDecoder().decode(Listing.self, from: data).data.map {
                ListedModel(id: $0.id, maxModelLength: $0.max_model_len, parent: $0.parent, root: $0.root)
            }
        } catch {
            throw OpenAIBackendError.invalidResponse(url: url, detail: "not a model list (\(OpenAIHTTPClient.excerpt(data)))")
        }
    }

    /// Whether `GET url` answers 2xx now (a readiness probe: one attempt, no retries of its own
    /// beyond the settings'; any failure is false).
    public func probe(url: String) async -> Bool {
        do {
            _ = try await http.send(url: url, body: nil)
            return true
        } catch {
            return false
        }
    }

    /// `POST /load_lora_adapter {"lora_name", "lora_path"}` (vLLM's runtime LoRA loading, and
    /// `forgetbench serve`'s): serves the PEFT adapter in `path` under the model id `name`.
    /// - Throws: `OpenAIBackendError.httpStatus` with the server's reason (vLLM answers 404 unless
    ///   started with `VLLM_ALLOW_RUNTIME_LORA_UPDATING=True` and `--enable-lora`).
    public func loadLoRAAdapter(name: String, path: String) async throws {
        let body = try JSONEncoder().encode(["lora_name": name, "lora_path": path])
        do {
            _ = try await http.send(url: http.url("/load_lora_adapter"), body: body)
        } catch OpenAIBackendError.httpStatus(let url, let status, let text) {
            let hint = status == 404 ? " (a vLLM server loads adapters at run time only with --enable-lora and the environment variable VLLM_ALLOW_RUNTIME_LORA_UPDATING=True; or name them at start with --lora-modules)" : ""
            throw OpenAIBackendError.httpStatus(url: url, status: status, body: text + hint)
        }
    }

    /// Checks that the server tokenizes `probe` into `expected` (the ids the caller's tokenizer
    /// makes, special tokens included) through vLLM's `POST /tokenize` at the server's root (the
    /// base URL without `/v1`). Returns false when the server has no such route (nothing could be
    /// checked).
    /// - Throws: `OpenAIBackendError.invalidResponse` naming the first differing position when the
    ///   server's tokens differ: token ids sent to it would mean other text.
    public func checkTokenizer(probe: String, expected: [Int]) async throws -> Bool {
        var root = settings.baseURL
        if root.hasSuffix("/v1") { root.removeLast(3) }
        let url = root + "/tokenize"
        let body = try JSONEncoder().encode(TokenizeBody(model: settings.modelName, prompt: probe))
        let data: Data
        do {
            data = try await http.send(url: url, body: body)
        } catch OpenAIBackendError.httpStatus(_, let status, _) where status == 404 || status == 405 {
            return false
        }
        struct Answer: Decodable { var tokens: [Int] }
        guard let tokens = try? JSONDecoder().decode(Answer.self, from: data).tokens else {
            throw OpenAIBackendError.invalidResponse(url: url, detail: "no 'tokens' list in \(OpenAIHTTPClient.excerpt(data))")
        }
        guard tokens == expected else {
            let i = zip(tokens, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(tokens.count, expected.count)
            let got = i < tokens.count ? String(tokens[i]) : "nothing", want = i < expected.count ? String(expected[i]) : "nothing"
            throw OpenAIBackendError.invalidResponse(url: url, detail: "the server's tokenizer is not the one given: it makes \(tokens.count) tokens of a probe text where the local tokenizer makes \(expected.count), first differing at position \(i) (server \(got), local \(want)); the token ids sent would mean other text")
        }
        return true
    }
}

private struct TokenizeBody: Encodable {
    var model: String
    var prompt: String
    var add_special_tokens = true
}
