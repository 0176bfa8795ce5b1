import Foundation

/// The shape and hyper-parameters of a Llama-family decoder (Llama 1-3, TinyLlama, Mistral without
/// sliding windows, Qwen2, llama2.c), in the engine's own terms.
public struct TransformerConfig: Codable, Sendable, Equatable {
    /// The `model_type` this came from (`llama`, `qwen2`, or `llama2.c`).
    public var modelType: String
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var kvHeadCount: Int
    /// Per-head width; `hiddenSize / headCount` unless the checkpoint says otherwise.
    public var headDim: Int
    public var vocabSize: Int
    /// The longest sequence (in tokens) the model is used with.
    public var maxPositions: Int
    public var ropeTheta: Double
    public var ropeScaling: RopeScaling?
    public var rmsNormEps: Float
    /// Whether the output classifier is the token embedding matrix.
    public var tieWordEmbeddings: Bool
    /// Biases on the query, key and value projections (Qwen2; Llama with `attention_bias`).
    public var qkvBias: Bool
    /// Bias on the attention output projection (Llama with `attention_bias`).
    public var outputBias: Bool
    public var bosTokenID: Int?
    /// Ids that end generation (from `config.json` and `generation_config.json`).
    public var eosTokenIDs: [Int]

    public init(
        modelType: String = "llama", hiddenSize: Int, intermediateSize: Int, layerCount: Int,
        headCount: Int, kvHeadCount: Int, headDim: Int? = nil, vocabSize: Int, maxPositions: Int,
        ropeTheta: Double = 10000, ropeScaling: RopeScaling? = nil, rmsNormEps: Float = 1e-5,
        tieWordEmbeddings: Bool = false, qkvBias: Bool = false, outputBias: Bool = false,
        bosTokenID: Int? = nil, eosTokenIDs: [Int] = []
    ) {
        self.modelType = modelType
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.kvHeadCount = kvHeadCount
        self.headDim = headDim ?? hiddenSize / max(headCount, 1)
        self.vocabSize = vocabSize
        self.maxPositions = maxPositions
        self.ropeTheta = ropeTheta
        self.ropeScaling = ropeScaling
        self.rmsNormEps = rmsNormEps
        self.tieWordEmbeddings = tieWordEmbeddings
        self.qkvBias = qkvBias
        self.outputBias = outputBias
        self.bosTokenID = bosTokenID
        self.eosTokenIDs = eosTokenIDs
    }

    /// Width of all query heads together.
    public var queryDim: Int { headCount * headDim }
    /// Width of all key (or value) heads together.
    public var kvDim: Int { kvHeadCount * headDim }

    /// Number of trainable scalars.
    public var parameterCount: Int {
        let attention = hiddenSize * queryDim * 2 + hiddenSize * kvDim * 2
            + (qkvBias ? queryDim + 2 * kvDim : 0) + (outputBias ? hiddenSize : 0)
        let mlp = 3 * hiddenSize * intermediateSize
        let perLayer = attention + mlp + 2 * hiddenSize
        return vocabSize * hiddenSize * (tieWordEmbeddings ? 1 : 2) + layerCount * perLayer + hiddenSize
    }

    /// Checks that the numbers fit together; throws naming `path`.
    func validate(path: String) throws {
        func fail(_ s: String) -> ModelLoadError { ModelLoadError(path: path, problem: s) }
        for (name, v) in [("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
                          ("num_hidden_layers", layerCount), ("num_attention_heads", headCount),
                          ("num_key_value_heads", kvHeadCount), ("head_dim", headDim),
                          ("vocab_size", vocabSize), ("max_position_embeddings", maxPositions)] where v <= 0 {
            throw fail("\(name) must be positive, found \(v)")
        }
        guard headCount % kvHeadCount == 0 else {
            throw fail("num_attention_heads (\(headCount)) must be a multiple of num_key_value_heads (\(kvHeadCount))")
        }
        guard headDim % 2 == 0 else { throw fail("head_dim must be even for rotary embeddings, found \(headDim)") }
    }
}

/// Rotary-embedding frequency scaling, as `rope_scaling` / `rope_parameters` in `config.json`.
public enum RopeScaling: Codable, Sendable, Equatable {
    /// Llama 3.1 / 3.2 scaling of the low frequencies.
    case llama3(factor: Double, lowFreqFactor: Double, highFreqFactor: Double, originalMaxPositions: Int)
    /// Positions divided by `factor`.
    case linear(factor: Double)
}
