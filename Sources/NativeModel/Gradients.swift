/// Gradients of a loss with respect to every tensor of a `LlamaWeights`, laid out and named like it
/// (`namedTensors` gives the same Hugging Face names and shapes).
///
/// With tied word embeddings `classifier` is the same tensor as `embedding`, so the token lookup's
/// and the classifier's contributions add up in one place, as in PyTorch. Biases exist exactly where
/// the weights have them (Qwen2's q/k/v biases, Llama's `attention_bias`).
public final class Gradients: @unchecked Sendable {
    private let storage: LlamaWeights

    /// Zero gradients for a model with `config`.
    public init(config: TransformerConfig) {
        let d = config.hiddenSize
        let embedding = Tensor(zeros: [config.vocabSize, d])
        storage = LlamaWeights(
            config: config, embedding: embedding,
            layers: (0 ..< config.layerCount).map { _ in LayerWeights(zerosFor: config) },
            finalNorm: Tensor(zeros: [d]),
            classifier: config.tieWordEmbeddings ? embedding : Tensor(zeros: [config.vocabSize, d]))
    }

    /// Zero gradients shaped like `weights`.
    public convenience init(zerosLike weights: LlamaWeights) { self.init(config: weights.config) }

    /// The shape of the model these gradients belong to.
    public var config: TransformerConfig { storage.config }
    /// d loss / d `model.embed_tokens.weight` `[vocab, hidden]` (both uses when tied).
    public var embedding: Tensor { storage.embedding }
    /// Per-layer gradients, field by field as `LayerWeights`.
    public var layers: [LayerWeights] { storage.layers }
    /// d loss / d `model.norm.weight` `[hidden]`.
    public var finalNorm: Tensor { storage.finalNorm }
    /// d loss / d `lm_head.weight` `[vocab, hidden]`; the same tensor as `embedding` when tied.
    public var classifier: Tensor { storage.classifier }

    /// Every gradient under its parameter's Hugging Face name, in `LlamaWeights.namedTensors` order.
    public var namedTensors: [(String, Tensor)] { storage.namedTensors }

    /// The gradient of the parameter with Hugging Face name `name`, or nil.
    public subscript(name: String) -> Tensor? { namedTensors.first { $0.0 == name }?.1 }

    /// Sets every gradient to zero (before accumulating a new step).
    public func zero() { for (_, t) in namedTensors { t.zero() } }

    /// The L2 norm over all gradients together (for clipping and logging), in Double.
    public var globalNorm: Double {
        var total = 0.0
        for (_, t) in namedTensors { for i in 0 ..< t.count { total += Double(t.pointer[i]) * Double(t.pointer[i]) } }
        return total.squareRoot()
    }
}
