import Foundation
import Harness

/// What every chunk of one streamed response repeats (OpenAI's `text_completion` and
/// `chat.completion.chunk` objects): its id, `object` kind, creation time and model.
struct StreamEnvelope: Sendable {
    let id: String
    let object: String
    let created: Int
    let model: String

    /// A new response's envelope: a random id after `idPrefix`, created now.
    init(idPrefix: String, object: String, model: ServedModel) {
        id = CompletionResponse.responseID(prefix: idPrefix)
        created = Int(Date().timeIntervalSince1970)
        self.object = object
        self.model = model.id
    }

    /// A chunk with one choice: its `fields`, then `logprobs` (null: log-probs are never streamed)
    /// and `finish_reason` (null until the choice's last chunk).
    func chunk(_ fields: [(String, JSONValue)], finish: FinishReason?) -> JSONValue {
        .object([
            ("id", .string(id)), ("object", .string(object)), ("created", .int(created)), ("model", .string(model)),
            ("choices", .array([.object(JSONObject(fields + [("logprobs", .null), ("finish_reason", finish.map { .string($0.rawValue) } ?? .null)]))])),
        ])
    }
}
