import Foundation
import Harness

/// Writes a model as a Hugging Face directory that this engine and transformers both load:
/// `config.json`, `model.safetensors`, `generation_config.json`, and the tokenizer file.
public enum HFCheckpointWriter {
    /// Writes `weights` into `directory` (created if needed). The tokenizer file at `tokenizer` is
    /// copied beside the weights under its own name (`tokenizer.json`, or `tokenizer.bin` for a
    /// llama2.c tokenizer, which this engine reads from a model directory too), with the files that
    /// travel with it as `save_pretrained` keeps them (`tokenizer_config.json` and its chat
    /// template, `chat_template.jinja`, `special_tokens_map.json`), so a fine-tuned model is
    /// prompted with its base's chat template.
    public static func write(_ weights: LlamaWeights, tokenizer: URL?, to directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ModelLoadError(path: directory.path, problem: "cannot create the output directory (\(error.localizedDescription))")
        }
        let c = weights.config
        var config: [String: Any] = [
            "architectures": [c.modelType == "qwen2" ? "Qwen2ForCausalLM" : "LlamaForCausalLM"],
            "model_type": c.modelType == "qwen2" ? "qwen2" : "llama",
            "hidden_size": c.hiddenSize, "intermediate_size": c.intermediateSize,
            "num_hidden_layers": c.layerCount, "num_attention_heads": c.headCount,
            "num_key_value_heads": c.kvHeadCount, "head_dim": c.headDim, "vocab_size": c.vocabSize,
            "max_position_embeddings": c.maxPositions, "rms_norm_eps": Double(c.rmsNormEps),
            "rope_theta": c.ropeTheta, "tie_word_embeddings": c.tieWordEmbeddings, "hidden_act": "silu",
            "torch_dtype": "float32",
        ]
        if c.modelType != "qwen2" { config["attention_bias"] = c.qkvBias || c.outputBias }
        switch c.ropeScaling {
        case nil: break
        case .linear(let factor): config["rope_scaling"] = ["rope_type": "linear", "factor": factor]
        case let .llama3(factor, low, high, original):
            config["rope_scaling"] = ["rope_type": "llama3", "factor": factor, "low_freq_factor": low,
                                      "high_freq_factor": high, "original_max_position_embeddings": original]
        }
        if let bos = c.bosTokenID { config["bos_token_id"] = bos }
        if !c.eosTokenIDs.isEmpty { config["eos_token_id"] = c.eosTokenIDs.count == 1 ? c.eosTokenIDs[0] as Any : c.eosTokenIDs }
        try writeJSON(config, to: directory.appendingPathComponent("config.json"))
        var generation: [String: Any] = [:]
        if let bos = c.bosTokenID { generation["bos_token_id"] = bos }
        if !c.eosTokenIDs.isEmpty { generation["eos_token_id"] = c.eosTokenIDs }
        try writeJSON(generation, to: directory.appendingPathComponent("generation_config.json"))
        try SafeTensorsFile.write(weights.namedTensors.map { (name: $0.0, tensor: $0.1) }, metadata: ["format": "pt"],
                                  to: directory.appendingPathComponent("model.safetensors"))
        if let tokenizer {
            let name = tokenizer.pathExtension == "json" ? "tokenizer.json" : "tokenizer.bin"
            let target = directory.appendingPathComponent(name)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: tokenizer, to: target)
            let source = tokenizer.deletingLastPathComponent()
            if source.standardizedFileURL != directory.standardizedFileURL {
                for companion in ["tokenizer_config.json", "chat_template.jinja", "special_tokens_map.json"] {
                    let file = source.appendingPathComponent(companion)
                    guard FileManager.default.fileExists(atPath: file.path) else { continue }
                    let copy = directory.appendingPathComponent(companion)
                    try? FileManager.default.removeItem(at: copy)
                    try FileManager.default.copyItem(at: file, to: copy)
                }
            }
        }
    }

    private static func writeJSON(_ object: [String: Any], to url: URL) throws {
        var data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        data.append(0x0A)
        try AtomicFile.write(data, to: url)
    }
}
