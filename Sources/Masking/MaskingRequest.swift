import Tokenizers

/// The options of one `forgetbench mask` run.
public struct MaskingRequest: Sendable {
    /// Training set (JSON Lines, see ``TrainingDataReader``).
    public var input: String
    /// Masked training set to write (`.jsonl`); the manifest goes beside it.
    public var output: String
    public var regime: MaskingRegime
    public var chatFormat: ChatFormat
    /// Seed of the `random` regimes.
    public var seed: UInt64
    /// Longest example in tokens (default: the model's context); longer ones are truncated at the end.
    public var maxSeqLen: Int?
    /// Directory of the score cache (default: the output's directory); nil with `useCache` false: no cache.
    public var cacheDirectory: String?
    public var useCache: Bool
    /// Whether the end-of-turn tokens after each reply are trained on (the paper's collator does).
    public var trainOnEndOfTurn: Bool

    public init(input: String, output: String, regime: MaskingRegime, chatFormat: ChatFormat = .auto, seed: UInt64 = 0,
                maxSeqLen: Int? = nil, cacheDirectory: String? = nil, useCache: Bool = true, trainOnEndOfTurn: Bool = true) {
        self.input = input
        self.output = output
        self.regime = regime
        self.chatFormat = chatFormat
        self.seed = seed
        self.maxSeqLen = maxSeqLen
        self.cacheDirectory = cacheDirectory
        self.useCache = useCache
        self.trainOnEndOfTurn = trainOnEndOfTurn
    }
}
