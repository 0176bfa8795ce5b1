import Crypto
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
        var hasher = SHA256()
        for part in ["openai", baseURL, model, revision ?? ""] {
            hasher.update(data: Data(part.utf8))
            hasher.update(data: Data([0]))
        }
        let hex = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return ModelFingerprint(sha256: hex, files: ["openai:\(model)@\(baseURL)" + (revision.map { "#\($0)" } ?? "")])
    }
}
