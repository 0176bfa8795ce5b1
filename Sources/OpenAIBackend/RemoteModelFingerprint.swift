import Foundation
import Harness

extension ModelFingerprint {
    /// The fingerprint of a model behind an OpenAI-compatible server, which has no weight files to
    /// hash: sha256 over `openai`, the base URL, the model id and the revision (each followed by a
    /// NUL byte; an empty revision when none). `files` records `openai:<model>@<url>[#revision]`.
    ///
    /// Only a revision pins what the server serves: without one the fingerprint names an endpoint,
    /// not weights, and must not be trusted across runs.
    public static func remote(baseURL: String, model: String, revision: String?) -> ModelFingerprint {
        let hex = ContentHash.sha256(Data(["openai", baseURL, model, revision ?? ""].flatMap { Array($0.utf8) + [0] }))
        return ModelFingerprint(sha256: hex, files: ["openai:\(model)@\(baseURL)" + (revision.map { "#\($0)" } ?? "")])
    }
}
