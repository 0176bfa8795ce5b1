import ArgumentParser

/// `--max-seq-len`, as every command that tokenizes training examples takes it (mask,
/// perplexity --summary, train): the longest example in tokens; longer ones are truncated at the end.
public struct MaxSequenceLengthOption: ParsableArguments {
    @Option(name: .customLong("max-seq-len"), help: ArgumentHelp(
        "Longest example in tokens (default: the model's context); longer examples are truncated at the end (and counted).",
        valueName: "tokens"))
    public var maxSeqLen: Int?

    public init() {}

    public func validate() throws {
        if let maxSeqLen, maxSeqLen < 2 { throw ValidationError("--max-seq-len must be at least 2") }
    }
}
