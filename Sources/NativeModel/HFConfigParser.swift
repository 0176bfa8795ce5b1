import Foundation
import Harness

/// Reads a Hugging Face `config.json` (and `generation_config.json`) into a `TransformerConfig`.
///
/// Accepts both the transformers 4 form (`rope_theta`, `rope_scaling`) and the transformers 5 form
/// (`rope_parameters`). Anything the engine cannot compute exactly is refused with a message that
/// names the field and lists what is supported.
enum HFConfigParser {
    static let supportedModelTypes = ["llama", "mistral", "qwen2"]

    static func parse(configURL: URL, generationConfigURL: URL?) throws -> TransformerConfig {
        let path = configURL.path
        func fail(_ s: String) -> ModelLoadError { ModelLoadError(path: path, problem: s) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fail("no config.json here (a Hugging Face model directory needs config.json and model.safetensors)")
        }
        let value: JSONValue
        do { value = try JSONValue.parse(data) } catch { throw fail("not valid JSON (\(error))") }
        guard let json = value.objectValue else { throw fail("expected a JSON object at the top level") }

        guard let modelType = json["model_type"]?.stringValue else {
            throw fail("missing field model_type (supported: \(supportedModelTypes.joined(separator: ", ")))")
        }
        guard supportedModelTypes.contains(modelType) else {
            throw fail("unsupported model_type '\(modelType)' (supported: \(supportedModelTypes.joined(separator: ", ")))")
        }
        func int(_ key: String) throws -> Int {
            guard let v = json[key] else { throw fail("missing field \(key) (model_type \(modelType))") }
            guard let number = v.integralValue else { throw fail("field \(key) must be an integer, found \(v.compactJSON)") }
            return number
        }
        func optionalInt(_ key: String) throws -> Int? {
            guard let v = json[key], v != .null else { return nil }
            return try int(key)
        }
        func double(_ key: String, in dict: JSONObject) throws -> Double? {
            guard let v = dict[key], v != .null else { return nil }
            guard let n = v.doubleValue else { throw fail("field \(key) must be a number, found \(v.compactJSON)") }
            return n
        }
        func bool(_ key: String, default value: Bool) throws -> Bool {
            guard let v = json[key], v != .null else { return value }
            guard let b = v.boolValue else { throw fail("field \(key) must be true or false, found \(v.compactJSON)") }
            return b
        }

        if let act = json["hidden_act"]?.stringValue, act != "silu" {
            throw fail("unsupported hidden_act '\(act)' (supported: silu)")
        }
        if try bool("mlp_bias", default: false) { throw fail("mlp_bias true is not supported (supported: false)") }
        if modelType == "qwen2", try bool("use_sliding_window", default: false) {
            throw fail("use_sliding_window true is not supported (supported: full attention)")
        }
        if modelType == "mistral", let window = try optionalInt("sliding_window"),
           window < (try optionalInt("max_position_embeddings") ?? Int.max) {
            throw fail("sliding_window \(window) is not supported (supported: null, or at least max_position_embeddings)")
        }

        let hidden = try int("hidden_size")
        let heads = try int("num_attention_heads")
        let kvHeads = try optionalInt("num_key_value_heads") ?? heads
        let attentionBias = try bool("attention_bias", default: false)

        // Rotary parameters: transformers 5 nests them in rope_parameters, 4 uses rope_theta + rope_scaling.
        var ropeDict = json["rope_parameters"]?.objectValue ?? [:]
        for (key, value) in json["rope_scaling"]?.objectValue ?? [] where ropeDict[key] == nil { ropeDict.append(key, value) }
        let theta = try double("rope_theta", in: ropeDict) ?? double("rope_theta", in: json) ?? 10000
        let ropeType = ropeDict["rope_type"]?.stringValue ?? ropeDict["type"]?.stringValue ?? "default"
        let scaling: RopeScaling?
        switch ropeType {
        case "default": scaling = nil
        case "linear":
            guard let f = try double("factor", in: ropeDict) else { throw fail("rope_scaling of type linear needs factor") }
            scaling = .linear(factor: f)
        case "llama3":
            guard let f = try double("factor", in: ropeDict),
                  let lo = try double("low_freq_factor", in: ropeDict),
                  let hi = try double("high_freq_factor", in: ropeDict),
                  let orig = try double("original_max_position_embeddings", in: ropeDict) else {
                throw fail("rope_scaling of type llama3 needs factor, low_freq_factor, high_freq_factor and original_max_position_embeddings")
            }
            scaling = .llama3(factor: f, lowFreqFactor: lo, highFreqFactor: hi, originalMaxPositions: Int(orig))
        default:
            throw fail("unsupported rope_scaling type '\(ropeType)' (supported: default, linear, llama3)")
        }

        var eos = idList(json["eos_token_id"])
        var bos = json["bos_token_id"]?.integralValue
        if let genURL = generationConfigURL, let genData = FileManager.default.contents(atPath: genURL.path) {
            guard let gen = (try? JSONValue.parse(genData))?.objectValue else {
                throw ModelLoadError(path: genURL.path, problem: "not a valid JSON object")
            }
            for id in idList(gen["eos_token_id"]) where !eos.contains(id) { eos.append(id) }
            if bos == nil { bos = gen["bos_token_id"]?.integralValue }
        }

        let eps = try double("rms_norm_eps", in: json) ?? 1e-6
        let config = TransformerConfig(
            modelType: modelType,
            hiddenSize: hidden,
            intermediateSize: try int("intermediate_size"),
            layerCount: try int("num_hidden_layers"),
            headCount: heads,
            kvHeadCount: kvHeads,
            headDim: try optionalInt("head_dim") ?? hidden / max(heads, 1),
            vocabSize: try int("vocab_size"),
            maxPositions: try optionalInt("max_position_embeddings") ?? 2048,
            ropeTheta: theta,
            ropeScaling: scaling,
            rmsNormEps: Float(eps),
            tieWordEmbeddings: try bool("tie_word_embeddings", default: false),
            qkvBias: modelType == "qwen2" || attentionBias,
            outputBias: modelType != "qwen2" && attentionBias,
            bosTokenID: bos,
            eosTokenIDs: eos
        )
        try config.validate(path: path)
        return config
    }

    /// A token id or a list of them (`eos_token_id` is either).
    private static func idList(_ value: JSONValue?) -> [Int] {
        if let id = value?.integralValue { return [id] }
        return value?.arrayValue?.compactMap(\.integralValue) ?? []
    }
}
