import Foundation
import Harness

/// A LoRA adapter in PEFT's format (`adapter_config.json` + `adapter_model.safetensors`): for each
/// adapted linear layer `W [out, in]`, matrices `A [r, in]` and `B [out, r]`, applied as
/// `W + scale · B A` with `scale = lora_alpha / r` (`lora_alpha / √r` with `use_rslora`).
public struct LoRAAdapter: Sendable {
    /// Rank `r`.
    public var rank: Int
    public var alpha: Double
    public var usesRSLoRA: Bool
    /// `A` and `B` per adapted module, keyed by the module's Hugging Face name
    /// (`model.layers.0.self_attn.q_proj`).
    public var modules: [String: (a: Tensor, b: Tensor)]

    /// The factor multiplying `B A`.
    public var scale: Double { usesRSLoRA ? alpha / Double(rank).squareRoot() : alpha / Double(rank) }

    /// Reads a PEFT adapter directory. Throws `ModelLoadError` naming the file for anything this
    /// engine cannot apply exactly (DoRA, per-module ranks, `fan_in_fan_out`, trained biases).
    public static func load(directory: URL) throws -> LoRAAdapter {
        let configURL = directory.appendingPathComponent("adapter_config.json")
        func fail(_ s: String) -> ModelLoadError { ModelLoadError(path: configURL.path, problem: s) }
        guard let data = FileManager.default.contents(atPath: configURL.path) else {
            throw fail("missing (a PEFT adapter directory holds adapter_config.json and adapter_model.safetensors)")
        }
        guard let config = (try? JSONValue.parse(data))?.objectValue else { throw fail("not a JSON object") }
        guard config["peft_type"]?.stringValue?.uppercased() == "LORA" else {
            throw fail("peft_type \(config["peft_type"]?.stringValue ?? "missing") is not supported (supported: LORA)")
        }
        guard let rank = config["r"]?.integralValue, rank > 0 else { throw fail("field r must be a positive integer") }
        let alpha = config["lora_alpha"]?.doubleValue ?? Double(rank)
        if config["use_dora"]?.boolValue == true { throw fail("use_dora true is not supported") }
        if config["fan_in_fan_out"]?.boolValue == true { throw fail("fan_in_fan_out true is not supported") }
        if let bias = config["bias"]?.stringValue, bias != "none" { throw fail("bias '\(bias)' is not supported (supported: none)") }
        for key in ["rank_pattern", "alpha_pattern"] {
            if let pattern = config[key]?.objectValue, !pattern.isEmpty { throw fail("\(key) is not supported (one rank and alpha for all modules)") }
        }
        let file = try SafeTensorsFile(url: directory.appendingPathComponent("adapter_model.safetensors"))
        var modules: [String: (a: Tensor, b: Tensor)] = [:]
        for name in file.entries.keys where name.hasSuffix(".lora_A.weight") {
            var module = String(name.dropLast(".lora_A.weight".count))
            if module.hasPrefix("base_model.model.") { module.removeFirst("base_model.model.".count) }
            let a = try file.tensor(name)
            let b = try file.tensor(name.replacingOccurrences(of: ".lora_A.weight", with: ".lora_B.weight"))
            guard a.shape.count == 2, b.shape.count == 2, a.shape[0] == rank, b.shape[1] == rank else {
                throw ModelLoadError(path: file.path, problem: "'\(module)': lora_A \(a.shape) and lora_B \(b.shape) do not have rank \(rank)")
            }
            modules[module] = (a, b)
        }
        guard !modules.isEmpty else { throw ModelLoadError(path: file.path, problem: "no lora_A/lora_B tensors") }
        return LoRAAdapter(rank: rank, alpha: alpha, usesRSLoRA: config["use_rslora"] as? Bool ?? false, modules: modules)
    }

    /// The linear layers PEFT's `all-linear` adapts in a Llama-family decoder (the classifier excluded).
    public static let allLinear = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                                   "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]

    /// PEFT's tensor name for `module`'s `A` or `B` matrix.
    public static func peftName(_ module: String, _ matrix: String) -> String { "base_model.model.\(module).lora_\(matrix).weight" }

    /// A new adapter for `weights`, initialised as PEFT does: `A` uniform in ±1/√in (Kaiming-uniform
    /// with a = √5), `B` zero, so training starts from the base model. `targets` are module
    /// suffixes (default all linear layers), drawn with a seeded generator.
    public static func initialized(for weights: LlamaWeights, rank: Int, alpha: Double, targets: [String] = allLinear, seed: UInt64) -> LoRAAdapter {
        var rng = SplitMix64(seed: seed)
        var modules: [String: (a: Tensor, b: Tensor)] = [:]
        for (name, tensor) in weights.namedTensors where name.hasSuffix(".weight") && tensor.shape.count == 2 {
            let module = String(name.dropLast(".weight".count))
            guard module.hasPrefix("model.layers."), targets.contains(where: { module.hasSuffix($0) }) else { continue }
            let (out, inFeatures) = (tensor.shape[0], tensor.shape[1])
            let a = Tensor(zeros: [rank, inFeatures])
            let bound = 1 / Float(inFeatures).squareRoot()
            for i in 0 ..< a.count { a.pointer[i] = (rng.nextUniform() * 2 - 1) * bound }
            modules[module] = (a, Tensor(zeros: [out, rank]))
        }
        return LoRAAdapter(rank: rank, alpha: alpha, usesRSLoRA: false, modules: modules)
    }

    /// Writes the adapter in PEFT's format (`adapter_config.json`, `adapter_model.safetensors`),
    /// recording the `dropout` it was trained with.
    public func save(to directory: URL, baseModel: String, dropout: Double = 0) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let targets = Set(modules.keys.map { String($0.split(separator: ".").last!) }).sorted()
        let config: [String: Any] = [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "r": rank, "lora_alpha": alpha, "lora_dropout": dropout,
            "target_modules": targets, "bias": "none", "fan_in_fan_out": false, "use_rslora": usesRSLoRA,
            "use_dora": false, "inference_mode": true, "init_lora_weights": true, "base_model_name_or_path": baseModel,
            "modules_to_save": NSNull(),
        ]
        var data = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
        data.append(0x0A)
        try AtomicFile.write(data, to: directory.appendingPathComponent("adapter_config.json"))
        let tensors = modules.flatMap { m, ab in [(name: Self.peftName(m, "A"), tensor: ab.a), (name: Self.peftName(m, "B"), tensor: ab.b)] }
        try SafeTensorsFile.write(tensors, metadata: ["format": "pt"], to: directory.appendingPathComponent("adapter_model.safetensors"))
    }

    /// Adds `scale · B A` to each adapted weight of `weights` (merging the adapter). Throws when a
    /// module is not in the model or its shapes disagree.
    public func merge(into weights: LlamaWeights) throws {
        let named = Dictionary(weights.namedTensors.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        BLAS.useSingleThreadedCalls()
        for (module, (a, b)) in modules.sorted(by: { $0.key < $1.key }) {
            guard let w = named[module + ".weight"] else {
                throw ModelLoadError(path: module, problem: "the adapter targets a module the model does not have")
            }
            guard w.shape == [b.shape[0], a.shape[1]] else {
                throw ModelLoadError(path: module, problem: "adapter shapes B \(b.shape) · A \(a.shape) do not match the weight \(w.shape)")
            }
            ParallelGEMM.gemmNN(m: w.shape[0], n: w.shape[1], k: rank, b.pointer, lda: rank, a.pointer, ldb: w.shape[1],
                                w.pointer, ldc: w.shape[1], alpha: Float(scale), beta: 1)
        }
    }
}
