/// A training example as one token sequence, each token labelled prompt or response.
public struct TokenizedExample: Hashable, Sendable {
    /// The token ids the model reads (the dataset's `input_ids`).
    public var inputIDs: [Int]
    /// `isResponse[t]`: token `t` is part of the response (a candidate for training).
    public var isResponse: [Bool]
    /// Whether the sequence was cut to the maximum length.
    public var truncated: Bool

    public init(inputIDs: [Int], isResponse: [Bool], truncated: Bool = false) {
        precondition(inputIDs.count == isResponse.count)
        self.inputIDs = inputIDs
        self.isResponse = isResponse
        self.truncated = truncated
    }

    /// Positions of response tokens that can carry a loss: every response token except one at
    /// position 0, which has nothing before it (Hugging Face's shifted loss never uses `labels[0]`).
    public var trainablePositions: [Int] {
        isResponse.indices.filter { $0 > 0 && isResponse[$0] }
    }
}
