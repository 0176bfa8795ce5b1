/// A model the harness can evaluate: the built-in engine, or a remote server.
///
/// The three request types are those of lm-evaluation-harness, plus token log-probs (every
/// token's log-probability after the tokens before it), which masking scores training data with.
/// Results must not depend on how requests are batched or ordered.
public protocol LanguageModel: Sendable {
    /// What identifies the model's weights and tokenizer (never its name).
    var fingerprint: ModelFingerprint { get }
    /// The longest token sequence the model accepts.
    var maxContextLength: Int { get }
    func loglikelihood(_ requests: [LoglikelihoodRequest]) async throws -> [LoglikelihoodResponse]
    func loglikelihoodRolling(_ requests: [RollingLoglikelihoodRequest]) async throws -> [RollingLoglikelihoodResponse]
    func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse]
    /// Each sequence's token log-probs, teacher-forced. A model that cannot give them throws
    /// ``UnsupportedRequest`` (the default).
    func tokenLogprobs(_ requests: [TokenLogprobsRequest]) async throws -> [TokenLogprobsResponse]
}

extension LanguageModel {
    public func tokenLogprobs(_ requests: [TokenLogprobsRequest]) async throws -> [TokenLogprobsResponse] {
        throw UnsupportedRequest(request: "token log-probs", model: String(describing: type(of: self)))
    }
}

/// A model was asked for a request type it does not serve.
public struct UnsupportedRequest: Error, CustomStringConvertible, Sendable {
    public var request: String
    public var model: String
    public var description: String { "\(model) does not answer \(request) requests" }
}
