import Harness

/// The weights of one decoder layer, with PyTorch `nn.Linear` layout (`[out, in]`).
public final class LayerWeights: @unchecked Sendable {
    public let attentionNorm: Tensor   // [hidden]
    public let wq: Tensor              // [queryDim, hidden]
    public let wk: Tensor              // [kvDim, hidden]
    public let wv: Tensor              // [kvDim, hidden]
    public let wo: Tensor              // [hidden, queryDim]
    public let bq: Tensor?             // [queryDim]
    public let bk: Tensor?             // [kvDim]
    public let bv: Tensor?             // [kvDim]
    public let bo: Tensor?             // [hidden]
    public let mlpNorm: Tensor         // [hidden]
    public let wGate: Tensor           // [intermediate, hidden]
    public let wUp: Tensor             // [intermediate, hidden]
    public let wDown: Tensor           // [hidden, intermediate]

    public init(attentionNorm: Tensor, wq: Tensor, wk: Tensor, wv: Tensor, wo: Tensor,
                bq: Tensor?, bk: Tensor?, bv: Tensor?, bo: Tensor?,
                mlpNorm: Tensor, wGate: Tensor, wUp: Tensor, wDown: Tensor) {
        self.attentionNorm = attentionNorm
        self.wq = wq; self.wk = wk; self.wv = wv; self.wo = wo
        self.bq = bq; self.bk = bk; self.bv = bv; self.bo = bo
        self.mlpNorm = mlpNorm
        self.wGate = wGate; self.wUp = wUp; self.wDown = wDown
    }

    /// Zero-filled weights for `config` (norm weights zero too; callers fill them).
    convenience init(zerosFor config: TransformerConfig) {
        let d = config.hiddenSize, q = config.queryDim, kv = config.kvDim, ff = config.intermediateSize
        self.init(
            attentionNorm: Tensor(zeros: [d]), wq: Tensor(zeros: [q, d]), wk: Tensor(zeros: [kv, d]),
            wv: Tensor(zeros: [kv, d]), wo: Tensor(zeros: [d, q]),
            bq: config.qkvBias ? Tensor(zeros: [q]) : nil, bk: config.qkvBias ? Tensor(zeros: [kv]) : nil,
            bv: config.qkvBias ? Tensor(zeros: [kv]) : nil, bo: config.outputBias ? Tensor(zeros: [d]) : nil,
            mlpNorm: Tensor(zeros: [d]), wGate: Tensor(zeros: [ff, d]), wUp: Tensor(zeros: [ff, d]),
            wDown: Tensor(zeros: [d, ff]))
    }

    /// The tensors under their Hugging Face names relative to `model.layers.N.`.
    public var namedTensors: [(String, Tensor)] {
        var list: [(String, Tensor)] = [
            ("input_layernorm.weight", attentionNorm),
            ("self_attn.q_proj.weight", wq), ("self_attn.k_proj.weight", wk),
            ("self_attn.v_proj.weight", wv), ("self_attn.o_proj.weight", wo),
            ("post_attention_layernorm.weight", mlpNorm),
            ("mlp.gate_proj.weight", wGate), ("mlp.up_proj.weight", wUp), ("mlp.down_proj.weight", wDown),
        ]
        if let bq { list.append(("self_attn.q_proj.bias", bq)) }
        if let bk { list.append(("self_attn.k_proj.bias", bk)) }
        if let bv { list.append(("self_attn.v_proj.bias", bv)) }
        if let bo { list.append(("self_attn.o_proj.bias", bo)) }
        return list
    }
}

/// All weights of a Llama-family decoder. Rotary embeddings use the Hugging Face layout (each head's
/// first and second halves form the rotated pairs); llama2.c checkpoints are permuted on load.
public final class LlamaWeights: @unchecked Sendable {
    public let config: TransformerConfig
    public let embedding: Tensor       // [vocab, hidden]
    public let layers: [LayerWeights]
    public let finalNorm: Tensor       // [hidden]
    /// The classifier `[vocab, hidden]`; the same object as `embedding` when tied.
    public let classifier: Tensor

    public init(config: TransformerConfig, embedding: Tensor, layers: [LayerWeights], finalNorm: Tensor, classifier: Tensor) {
        self.config = config
        self.embedding = embedding
        self.layers = layers
        self.finalNorm = finalNorm
        self.classifier = classifier
    }

    /// Every tensor under its Hugging Face name (`lm_head.weight` only when untied).
    public var namedTensors: [(String, Tensor)] {
        var list: [(String, Tensor)] = [("model.embed_tokens.weight", embedding)]
        for (i, layer) in layers.enumerated() {
            list += layer.namedTensors.map { ("model.layers.\(i).\($0.0)", $0.1) }
        }
        list.append(("model.norm.weight", finalNorm))
        if !config.tieWordEmbeddings { list.append(("lm_head.weight", classifier)) }
        return list
    }

    /// Random weights with PyTorch-like scales, for tests and benchmarks. Deterministic in `seed`.
    public static func random(config: TransformerConfig, seed: UInt64, scale: Float = 0.02) -> LlamaWeights {
        var rng = SplitMix64(seed: seed)
        func fill(_ t: Tensor, constant: Float? = nil) -> Tensor {
            for i in 0 ..< t.count { t.pointer[i] = constant ?? (rng.nextUniform() * 2 - 1) * scale * 1.7320508 }
            return t
        }
        let d = config.hiddenSize
        let layers = (0 ..< config.layerCount).map { _ -> LayerWeights in
            let l = LayerWeights(zerosFor: config)
            for (name, t) in l.namedTensors {
                _ = fill(t, constant: name.hasSuffix("layernorm.weight") ? 1 : nil)
            }
            return l
        }
        let embedding = fill(Tensor(zeros: [config.vocabSize, d]))
        let classifier = config.tieWordEmbeddings ? embedding : fill(Tensor(zeros: [config.vocabSize, d]))
        return LlamaWeights(config: config, embedding: embedding, layers: layers,
                            finalNorm: fill(Tensor(zeros: [d]), constant: 1), classifier: classifier)
    }
}
