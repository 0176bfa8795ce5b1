import Foundation
import Harness

/// Loads a Hugging Face model directory: `config.json`, `model.safetensors` or the shards named by
/// `model.safetensors.index.json`, and `generation_config.json` when present.
enum HFCheckpoint {
    static func load(directory: URL) throws -> LlamaWeights {
        let fm = FileManager.default
        let config = try HFConfigParser.parse(
            configURL: directory.appendingPathComponent("config.json"),
            generationConfigURL: directory.appendingPathComponent("generation_config.json"))

        // Open each safetensors file once and note which holds which tensor.
        var files: [SafeTensorsFile] = []
        let single = directory.appendingPathComponent("model.safetensors")
        let index = directory.appendingPathComponent("model.safetensors.index.json")
        if fm.fileExists(atPath: single.path) {
            files = [try SafeTensorsFile(url: single)]
        } else if fm.fileExists(atPath: index.path) {
            guard let data = fm.contents(atPath: index.path),
                  let map = (try? JSONValue.parse(data))?["weight_map"]?.objectValue,
                  case let shards = map.compactMap({ $0.value.stringValue }), shards.count == map.count else {
                throw ModelLoadError(path: index.path, problem: "expected a JSON object with a weight_map of tensor name to shard file")
            }
            for shard in Set(shards).sorted() {
                guard !shard.contains("/") else {
                    throw ModelLoadError(path: index.path, problem: "shard name '\(shard)' must be a file in the same directory")
                }
                let url = directory.appendingPathComponent(shard)
                guard fm.fileExists(atPath: url.path) else {
                    throw ModelLoadError(path: index.path, problem: "names shard \(shard), which is missing")
                }
                files.append(try SafeTensorsFile(url: url))
            }
        } else {
            throw ModelLoadError(path: directory.path, problem: "no model.safetensors or model.safetensors.index.json (only safetensors weights are read)")
        }

        func tensor(_ name: String, _ shape: [Int]) throws -> Tensor {
            guard let file = files.first(where: { $0.entries[name] != nil }) else {
                throw ModelLoadError(path: files.count == 1 ? files[0].path : index.path,
                                     problem: "missing tensor '\(name)' (expected shape \(shape))")
            }
            let t = try file.tensor(name)
            guard t.shape == shape else {
                throw ModelLoadError(path: file.path, problem: "tensor '\(name)' has shape \(t.shape), config.json implies \(shape)")
            }
            return t
        }

        let d = config.hiddenSize, q = config.queryDim, kv = config.kvDim, ff = config.intermediateSize
        let embedding = try tensor("model.embed_tokens.weight", [config.vocabSize, d])
        var layers: [LayerWeights] = []
        for i in 0 ..< config.layerCount {
            let p = "model.layers.\(i)."
            layers.append(LayerWeights(
                attentionNorm: try tensor(p + "input_layernorm.weight", [d]),
                wq: try tensor(p + "self_attn.q_proj.weight", [q, d]),
                wk: try tensor(p + "self_attn.k_proj.weight", [kv, d]),
                wv: try tensor(p + "self_attn.v_proj.weight", [kv, d]),
                wo: try tensor(p + "self_attn.o_proj.weight", [d, q]),
                bq: config.qkvBias ? try tensor(p + "self_attn.q_proj.bias", [q]) : nil,
                bk: config.qkvBias ? try tensor(p + "self_attn.k_proj.bias", [kv]) : nil,
                bv: config.qkvBias ? try tensor(p + "self_attn.v_proj.bias", [kv]) : nil,
                bo: config.outputBias ? try tensor(p + "self_attn.o_proj.bias", [d]) : nil,
                mlpNorm: try tensor(p + "post_attention_layernorm.weight", [d]),
                wGate: try tensor(p + "mlp.gate_proj.weight", [ff, d]),
                wUp: try tensor(p + "mlp.up_proj.weight", [ff, d]),
                wDown: try tensor(p + "mlp.down_proj.weight", [d, ff])))
        }
        let finalNorm = try tensor("model.norm.weight", [d])
        // Some tied checkpoints still store lm_head.weight; the config decides.
        let classifier = config.tieWordEmbeddings ? embedding : try tensor("lm_head.weight", [config.vocabSize, d])
        return LlamaWeights(config: config, embedding: embedding, layers: layers, finalNorm: finalNorm, classifier: classifier)
    }
}
