import Harness

/// One line of `samples/<task>.jsonl`: an item, what the model answered, and its scores.
public struct SampleRecord: Codable, Equatable, Sendable {
    public var id: String
    /// sha256 of the rendered prompt: items pair across runs by id and this hash.
    public var promptSHA256: String
    public var target: String
    public var response: ModelResponse
    public var extractedAnswer: String?
    /// Per-item metric and auxiliary values (`acc`, `exact_match`, `loglikelihood`, `bytes`…).
    public var values: [String: Double]
    /// The scorer's outcome kind (`ItemScore.outcome`), when it reports one.
    public var outcome: String?

    public init(id: String, promptSHA256: String, target: String, response: ModelResponse, extractedAnswer: String?, values: [String: Double],
                outcome: String? = nil) {
        self.id = id
        self.promptSHA256 = promptSHA256
        self.target = target
        self.response = response
        self.extractedAnswer = extractedAnswer
        self.values = values
        self.outcome = outcome
    }
}
