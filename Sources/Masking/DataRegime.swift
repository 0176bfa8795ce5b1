/// A data regime (DESIGN.md): the training answers are replaced by the base model's own, rather
/// than masked. Its raw value is how specs and reports name it.
public enum DataRegime: String, CaseIterable, Sendable, Hashable, Codable {
    /// The base model answers each training item; only correct answers are kept, the one with the
    /// lowest sequence perplexity per item; items with none are dropped.
    case selfOutput = "self-output"
    /// The base model rewrites the ground-truth answer given as a reference; correct ones are kept.
    case rephrase
}
