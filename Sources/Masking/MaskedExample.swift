/// One line of a masked training set (`OUT.jsonl`), in the layout Hugging Face's causal-LM loss
/// expects.
///
/// `{"input_ids": [...], "labels": [...], "ppl": [null, ...], "id": ...}`:
/// - `labels[t]` is `input_ids[t]` where token t is trained on, `-100` elsewhere (prompt tokens,
///   masked response tokens, and always position 0). Labels are *not* shifted: the model shifts them
///   (logits at t - 1 predict labels[t]), as `LlamaForCausalLM(input_ids, labels=labels)` does.
/// - `ppl[t]` is the base model's perplexity of token t, exp(-log p(input_ids[t] | input_ids[<t])),
///   natural log; `ppl[0]` is `null` (nothing predicts the first token).
/// - `id` is the input line's id, when it had one.
/// - `weights` (only under a weighting regime, `soft`): the loss weight of each token (0 where the
///   label is -100); the trainer's loss is then Σ weights[t]·nll[t] / (number of labelled tokens).
public struct MaskedExample: Codable, Hashable, Sendable {
    /// The label of a token that carries no loss.
    public static let ignoreIndex = -100

    /// Token ids the model reads (prompt and response, chat-formatted).
    public var inputIDs: [Int]
    /// `input_ids[t]` where token t carries a loss, else ``ignoreIndex`` (unshifted, as Hugging Face expects).
    public var labels: [Int]
    /// Base-model perplexity of each token; nil (JSON null) for the first.
    public var ppl: [Double?]
    /// The input line's id, if any.
    public var id: String?
    /// Per-token loss weights (`soft`); nil: every labelled token weighs 1 (absent from the JSON).
    public var weights: [Double]?

    enum CodingKeys: String, CodingKey {
        case inputIDs = "input_ids", labels, ppl, id, weights
    }

    public init(inputIDs: [Int], labels: [Int], ppl: [Double?], id: String? = nil, weights: [Double]? = nil) {
        self.inputIDs = inputIDs
        self.labels = labels
        self.ppl = ppl
        self.id = id
        self.weights = weights
    }

    /// The example for `scored` with the tokens of `masked` dropped.
    public init(scored: ScoredExample, masked: [Bool], id: String? = nil, weights: [Double]? = nil) {
        let tokens = scored.tokens
        inputIDs = tokens.inputIDs
        labels = tokens.inputIDs.indices.map { t in
            t > 0 && tokens.isResponse[t] && !masked[t] ? tokens.inputIDs[t] : Self.ignoreIndex
        }
        ppl = scored.perplexities
        self.id = id
        let labels = labels
        self.weights = weights.map { w in w.indices.map { labels[$0] == Self.ignoreIndex ? 0 : w[$0] } }
    }

    /// Number of tokens that carry a loss.
    public var trainedCount: Int { labels.filter { $0 != Self.ignoreIndex }.count }
}
