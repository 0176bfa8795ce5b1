/// A model the harness can evaluate: the built-in engine, or a remote server.
///
/// The three request types are those of lm-evaluation-harness. Results must not depend on how
/// requests are batched or ordered.
public protocol LanguageModel: Sendable {
    /// What identifies the model's weights and tokenizer (never its name).
    var fingerprint: ModelFingerprint { get }
    /// The longest token sequence the model accepts.
    var maxContextLength: Int { get }
    func loglikelihood(_ requests: [LoglikelihoodRequest]) async throws -> [LoglikelihoodResponse]
    func loglikelihoodRolling(_ requests: [RollingLoglikelihoodRequest]) async throws -> [RollingLoglikelihoodResponse]
    func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse]
}
