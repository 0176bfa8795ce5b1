import Tokenizers
import Foundation
import Harness
import Masking
import Yams

/// Reads an experiment spec (YAML). Every error names the file, line and key: unknown keys (with a
/// did-you-mean), wrong types, unknown regimes, a task listed as both target and non-target.
///
/// ```yaml
/// name: quickstart
/// model: {kind: native, path: ../models/toy-base}      # relative to this file
/// training_data: {task: toy_multiply, limit: 256}        # or {file: train.jsonl}
/// regimes: [ground-truth, "stm:2.5", "top-fraction:0.25", "random:matched", self-output]
/// training: {method: lora, lora_rank: 8, lora_alpha: 16, lr: 3e-3, epochs: 2, batch_size: 16}
/// target_tasks: [toy_multiply]
/// non_target_tasks: [toy_reverse, toy_successor, toy_add, toy_facts]
/// evaluation: {limit: 200, seed: 1234}
/// seeds: 3                                               # or a list: [1, 2, 3]
/// gates: {default: {margin_points: 5, alpha: 0.01}}      # as in a gates.yaml
/// ```
public enum ExperimentSpecParser {
    /// What a spec file holds.
    public struct Parsed: Sendable {
        public var spec: ExperimentSpec
        /// The gates (nil: none; the leaderboard still reports every change).
        public var gates: GateConfiguration?
        /// `file:line:col` of each key path (`model.path`, `target_tasks[0]`, …), for later errors.
        public var locations: [String: String]
        /// The spec's directory (relative paths in it resolve against it).
        public var directory: URL
        /// sha256 of the file's bytes.
        public var sha256: String

        /// Where `key` was written, or the file itself.
        public func location(_ key: String) -> String { locations[key] ?? locations[""] ?? "spec" }

        /// The task `name` from `registry`; the error names where the spec wrote it (`key`).
        public func task(_ name: String, key: String, in registry: TaskRegistry) throws -> any EvaluationTask {
            do { return try registry.task(named: name) } catch {
                throw RunnerError.invalid("\(location(key)): \(error)")
            }
        }

        /// The task of `training_data.task`, which must have a training split; nil when the spec
        /// trains on a file.
        public func trainingTask(in registry: TaskRegistry) throws -> (any TrainableTask)? {
            guard let name = spec.trainingData.task else { return nil }
            guard let trainable = try task(name, key: "training_data.task", in: registry) as? any TrainableTask else {
                throw RunnerError.invalid("\(location("training_data.task")): task '\(name)' has no training split; name a task that has one (the toy_ tasks do) or give training_data.file")
            }
            return trainable
        }

        /// A path from the spec, resolved against the spec's directory.
        public func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : directory.appendingPathComponent(path).standardizedFileURL.path
        }
    }

    static let dataRegimes = DataRegime.allCases.map(\.rawValue)
    static let regimeForms = ["ground-truth", "stm", "stm:2.5", "top-fraction:0.25", "random:matched", "lowest:matched", "dpf", "stm+dpf", "soft",
                              "self-output", "rephrase"]

    /// Parses the spec at `path`.
    /// - Throws: ``RunnerError/invalid(_:)`` with `file:line:col: problem`.
    public static func parse(fileAt path: String) throws -> Parsed {
        let (root, data) = try YAMLFile.read(path: path, kind: "experiment spec")
        var reader = Reader(path: path)
        let parsed = try reader.spec(root)
        return Parsed(spec: parsed.0, gates: parsed.1, locations: reader.locations,
                      directory: URL(fileURLWithPath: path).absoluteURL.deletingLastPathComponent().standardizedFileURL, sha256: ContentHash.sha256(data))
    }

    /// Walks the YAML tree, recording where each key was.
    struct Reader {
        let path: String
        var locations: [String: String] = [:]

        init(path: String) { self.path = path }

        func at(_ node: Node) -> String {
            guard let mark = node.mark else { return path }
            return "\(path):\(mark.line):\(mark.column)"
        }

        func fail(_ node: Node, _ problem: String) -> RunnerError { .invalid("\(at(node)): \(problem)") }

        /// The mapping's values by key, refusing keys outside `allowed`.
        mutating func fields(_ node: Node, section: String, allowed: [String], required: [String] = []) throws -> [String: Node] {
            guard let mapping = node.mapping else {
                throw fail(node, "'\(section.isEmpty ? "the spec" : section)' must be a mapping with keys \(allowed.joined(separator: ", "))")
            }
            var out: [String: Node] = [:]
            for (keyNode, value) in mapping {
                let key = keyNode.string ?? ""
                let full = section.isEmpty ? key : "\(section).\(key)"
                guard allowed.contains(key) else {
                    let hint = Suggestions.closest(to: key, in: allowed).first.map { " (did you mean '\($0)'?)" } ?? ""
                    throw fail(keyNode, "unknown key '\(full)'\(hint); expected one of \(allowed.joined(separator: ", "))")
                }
                guard out[key] == nil else { throw fail(keyNode, "'\(full)' is given twice") }
                out[key] = value
                locations[full] = at(keyNode)
            }
            for key in required where out[key] == nil {
                throw fail(node, "missing '\(section.isEmpty ? key : "\(section).\(key)")'")
            }
            return out
        }

        func string(_ node: Node, _ key: String) throws -> String {
            guard case .scalar = node, let s = node.string, !s.isEmpty else { throw fail(node, "'\(key)' must be a non-empty string") }
            return s
        }

        func int(_ node: Node, _ key: String, minimum: Int) throws -> Int {
            guard case .scalar = node, let s = node.string, let v = Int(s) else { throw fail(node, "'\(key)' must be an integer") }
            guard v >= minimum else { throw fail(node, "'\(key)' must be at least \(minimum), got \(v)") }
            return v
        }

        func double(_ node: Node, _ key: String, range: ClosedRange<Double>? = nil, positive: Bool = false) throws -> Double {
            guard case .scalar = node, let s = node.string, let v = Double(s), v.isFinite else { throw fail(node, "'\(key)' must be a number") }
            if positive && v <= 0 { throw fail(node, "'\(key)' must be positive, got \(s)") }
            if let range, !range.contains(v) { throw fail(node, "'\(key)' must be in [\(range.lowerBound), \(range.upperBound)], got \(s)") }
            return v
        }

        mutating func stringList(_ node: Node, _ key: String) throws -> [String] {
            let items: [Node]
            if let list = node.sequence { items = Array(list) } else if case .scalar = node { items = [node] } else {
                throw fail(node, "'\(key)' must be a list of names")
            }
            return try items.enumerated().map { i, item in
                locations["\(key)[\(i)]"] = at(item)
                return try string(item, key)
            }
        }

        mutating func model(_ node: Node, _ key: String) throws -> ExperimentSpec.Model {
            if case .scalar = node { return .init(kind: "native", path: try string(node, key), tokenizer: nil, chatFormat: "auto") }
            let servingKeys = ["name", "url", "server", "concurrency", "batch_size"]
            let f = try fields(node, section: key, allowed: ["kind", "path", "tokenizer", "chat_format"] + (key == "model" ? servingKeys : []),
                               required: ["path"])
            let kind = try f["kind"].map { try string($0, "\(key).kind") } ?? "native"
            guard kind == "native" || (kind == "openai" && key == "model") else {
                throw fail(f["kind"]!, key == "model"
                    ? "'\(key).kind' must be native (the built-in engine) or openai (an OpenAI-compatible server, with model.url or model.server), got \(kind)"
                    : "'\(key).kind' \(kind) is not supported: the scorer runs on the built-in engine (kind: native); to score through the server, leave out 'scorer'")
            }
            let format = try f["chat_format"].map { try string($0, "\(key).chat_format") } ?? "auto"
            guard ChatFormat(rawValue: format) != nil else {
                throw fail(f["chat_format"]!, "unknown chat format '\(format)'; expected \(ChatFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let path = try string(f["path"]!, "\(key).path")
            var serving: ExperimentSpec.Serving?
            if kind == "openai" {
                serving = try self.serving(f, path: path, node: node)
            } else if let extra = servingKeys.first(where: { f[$0] != nil }) {
                throw fail(f[extra]!, "'\(key).\(extra)' applies to 'model.kind: openai' (evaluation through a server)")
            }
            return .init(kind: kind, path: path, tokenizer: try f["tokenizer"].map { try string($0, "\(key).tokenizer") },
                         chatFormat: format, serving: serving)
        }

        /// The server settings of `model.kind: openai`.
        mutating func serving(_ f: [String: Node], path: String, node: Node) throws -> ExperimentSpec.Serving {
            let defaultName = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            var serving = ExperimentSpec.Serving(name: try f["name"].map { try string($0, "model.name") } ?? defaultName)
            serving.url = try f["url"].map { try string($0, "model.url") }
            if let v = f["concurrency"] { serving.concurrency = try int(v, "model.concurrency", minimum: 1) }
            if let v = f["batch_size"] { serving.batchSize = try int(v, "model.batch_size", minimum: 1) }
            if let server = f["server"] {
                let s = try fields(server, section: "model.server", allowed: ["start", "ready", "timeout", "stop", "port"], required: ["start"])
                let start = try string(s["start"]!, "model.server.start")
                do { _ = try ServerCommand(start) } catch { throw fail(s["start"]!, "'model.server.start': \(error)") }
                serving.start = start
                serving.ready = try s["ready"].map { try string($0, "model.server.ready") }
                if let v = s["timeout"] { serving.readyTimeout = try double(v, "model.server.timeout", positive: true) }
                if let v = s["stop"] {
                    let stop = try string(v, "model.server.stop")
                    do { _ = try TrainerCommand.split(stop) } catch { throw fail(v, "'model.server.stop': \(error)") }
                    serving.stop = stop
                }
                if let v = s["port"] {
                    let port = try int(v, "model.server.port", minimum: 1)
                    guard port <= 65535 else { throw fail(v, "'model.server.port' must be at most 65535, got \(port)") }
                    serving.port = port
                }
            } else if serving.url == nil {
                throw fail(node, "'model.kind: openai' needs 'model.url' (a running server, e.g. http://127.0.0.1:8000/v1) or 'model.server' (a start command)")
            }
            if let url = serving.url, let v = f["url"] {
                let probe = ServerCommand.url(url, port: 8000)
                guard let u = URL(string: probe), let scheme = u.scheme, ["http", "https"].contains(scheme.lowercased()), u.host != nil else {
                    throw fail(v, "'model.url' must be an http(s) URL such as http://127.0.0.1:8000/v1, got \(url)")
                }
                if url.contains("{port}") && f["server"] == nil { throw fail(v, "'model.url' holds {port}, which only a 'model.server' block sets") }
            }
            return serving
        }

        mutating func spec(_ root: Node) throws -> (ExperimentSpec, GateConfiguration?) {
            locations[""] = at(root)
            let top = try fields(root, section: "", allowed: [
                "name", "description", "model", "scorer", "training_data", "regimes", "tau", "sampling", "training",
                "target_tasks", "non_target_tasks", "evaluation", "seeds", "gates", "output",
            ], required: ["name", "model", "training_data", "regimes", "target_tasks", "non_target_tasks"])

            let name = try string(top["name"]!, "name")
            let model = try self.model(top["model"]!, "model")
            var scorer: ExperimentSpec.Model?
            if let node = top["scorer"], !(node.string == "base") { scorer = try self.model(node, "scorer") }

            let dataFields = try fields(top["training_data"]!, section: "training_data", allowed: ["task", "file", "limit"])
            let data = ExperimentSpec.TrainingData(
                task: try dataFields["task"].map { try string($0, "training_data.task") },
                file: try dataFields["file"].map { try string($0, "training_data.file") },
                limit: try dataFields["limit"].map { try int($0, "training_data.limit", minimum: 1) })
            guard (data.task == nil) != (data.file == nil) else {
                throw fail(top["training_data"]!, "give exactly one of 'training_data.task' (a task's training split) or 'training_data.file' (JSON Lines)")
            }

            let tau = try top["tau"].map { try double($0, "tau") } ?? MaskingRegime.defaultTau
            do { try MaskingRegime.checkTau(tau, source: "tau: \(tau)") } catch { throw fail(top["tau"]!, "'tau': \(error)") }
            let regimes = try stringList(top["regimes"]!, "regimes")
            guard !regimes.isEmpty else { throw fail(top["regimes"]!, "'regimes' names no regime") }
            for (i, regime) in regimes.enumerated() {
                let node = top["regimes"]!.sequence.map { Array($0)[i] } ?? top["regimes"]!
                if Self.isDataRegime(regime) { continue }
                do { _ = try MaskingRegime.parse(regime, tau: tau) } catch {
                    let hint = Suggestions.closest(to: regime, in: ExperimentSpecParser.regimeForms).first.map { " (did you mean '\($0)'?)" } ?? ""
                    throw fail(node, "unknown regime '\(regime)'\(hint); expected \(MaskingRegime.validForms), self-output, rephrase")
                }
            }
            if let duplicate = Self.firstDuplicate(regimes) { throw fail(top["regimes"]!, "regime '\(duplicate)' is listed twice") }
            let needsReference = regimes.contains { !Self.isDataRegime($0) && ((try? MaskingRegime.parse($0, tau: tau))?.needsReference ?? false) }
            if needsReference, !regimes.contains(where: { (try? MaskingRegime.parse($0, tau: tau)) == .groundTruth }) {
                throw fail(top["regimes"]!, "dpf and stm+dpf compare each token's perplexity under the ground-truth candidate of the same seed with the base's; add ground-truth to 'regimes'")
            }
            if regimes.contains(where: Self.isDataRegime), data.task == nil {
                throw fail(top["regimes"]!, "the data regimes self-output and rephrase need 'training_data.task' (a task that can judge the model's answers)")
            }

            var sampling = ExperimentSpec.Sampling(samples: 4, temperature: 0.8, topP: 1, maxTokens: nil,
                                                   rephraseTemplate: "{prompt} (reference: {reference}) In your own words:")
            if let node = top["sampling"] {
                let f = try fields(node, section: "sampling", allowed: ["samples", "temperature", "top_p", "max_tokens", "rephrase_template"])
                if let v = f["samples"] { sampling.samples = try int(v, "sampling.samples", minimum: 1) }
                if let v = f["temperature"] { sampling.temperature = try double(v, "sampling.temperature", range: 0 ... 5) }
                if let v = f["top_p"] { sampling.topP = try double(v, "sampling.top_p", range: 0 ... 1, positive: true) }
                if let v = f["max_tokens"] { sampling.maxTokens = try int(v, "sampling.max_tokens", minimum: 1) }
                if let v = f["rephrase_template"] {
                    sampling.rephraseTemplate = try string(v, "sampling.rephrase_template")
                    guard sampling.rephraseTemplate.contains("{reference}") else {
                        throw fail(v, "'sampling.rephrase_template' must contain {reference} (the ground-truth answer the model rewrites)")
                    }
                }
            }

            var training = ExperimentSpec.Training(trainer: "native", method: "lora", loraRank: 8, loraAlpha: 16, loraDropout: 0, learningRate: 2e-4,
                                                   epochs: 3, batchSize: 8, gradientAccumulation: 1, warmupSteps: 0, weightDecay: 0,
                                                   maxGradientNorm: 1, maxSequenceLength: nil, checkpointEvery: 20)
            if let node = top["training"] {
                let f = try fields(node, section: "training", allowed: [
                    "trainer", "method", "lora_rank", "lora_alpha", "lora_dropout", "lr", "epochs", "batch_size", "grad_accum",
                    "warmup", "weight_decay", "max_grad_norm", "max_seq_len", "checkpoint_every", "command", "gpus", "dtype",
                ])
                if let v = f["trainer"] {
                    training.trainer = try string(v, "training.trainer")
                    guard ["native", "command"].contains(training.trainer) else {
                        throw fail(v, "'training.trainer' must be native (the built-in engine) or command (an external trainer, with training.command), got \(training.trainer)")
                    }
                }
                if let v = f["command"] {
                    guard training.trainer == "command" else { throw fail(v, "'training.command' needs 'training.trainer: command'") }
                    let text = try string(v, "training.command")
                    do { _ = try TrainerCommand(text) } catch { throw fail(v, "'training.command': \(error)") }
                    training.command = text
                } else if training.trainer == "command" {
                    throw fail(f["trainer"]!, "'training.trainer: command' needs 'training.command', the trainer's command line (e.g. python integrations/hf/train.py --data {data} --settings {settings} --model {base} --output {output})")
                }
                if let v = f["gpus"] { training.gpus = try int(v, "training.gpus", minimum: 1) }
                if let v = f["dtype"] {
                    let dtype = try string(v, "training.dtype")
                    guard ["float32", "bfloat16", "float16"].contains(dtype) else { throw fail(v, "'training.dtype' must be float32, bfloat16 or float16, got \(dtype)") }
                    training.dtype = dtype
                }
                if training.trainer == "native", let key = ["gpus", "dtype"].first(where: { f[$0] != nil }) {
                    throw fail(f[key]!, "'training.\(key)' applies to 'training.trainer: command'; the built-in trainer runs in float32 on the CPU")
                }
                if let v = f["method"] {
                    training.method = try string(v, "training.method")
                    guard ["lora", "full"].contains(training.method) else { throw fail(v, "'training.method' must be lora or full, got \(training.method)") }
                }
                if let v = f["lora_rank"] { training.loraRank = try int(v, "training.lora_rank", minimum: 1) }
                if let v = f["lora_alpha"] { training.loraAlpha = try double(v, "training.lora_alpha", positive: true) }
                if let v = f["lora_dropout"] { training.loraDropout = try double(v, "training.lora_dropout", range: 0 ... 0.99) }
                if let v = f["lr"] { training.learningRate = try double(v, "training.lr", positive: true) }
                if let v = f["epochs"] { training.epochs = try int(v, "training.epochs", minimum: 1) }
                if let v = f["batch_size"] { training.batchSize = try int(v, "training.batch_size", minimum: 1) }
                if let v = f["grad_accum"] { training.gradientAccumulation = try int(v, "training.grad_accum", minimum: 1) }
                if let v = f["warmup"] { training.warmupSteps = try int(v, "training.warmup", minimum: 0) }
                if let v = f["weight_decay"] { training.weightDecay = try double(v, "training.weight_decay", range: 0 ... 1) }
                if let v = f["max_grad_norm"] { training.maxGradientNorm = try double(v, "training.max_grad_norm", range: 0 ... 1e6) }
                if let v = f["max_seq_len"] { training.maxSequenceLength = try int(v, "training.max_seq_len", minimum: 2) }
                if let v = f["checkpoint_every"] { training.checkpointEvery = try int(v, "training.checkpoint_every", minimum: 0) }
            }

            if model.kind == "openai" && training.method == "full" {
                throw fail(top["model"]!, "'model.kind: openai' serves each candidate as a LoRA adapter beside the base model; 'training.method: full' makes whole models (evaluate them with kind: native)")
            }

            let targets = try stringList(top["target_tasks"]!, "target_tasks")
            let nonTargets = try stringList(top["non_target_tasks"]!, "non_target_tasks")
            guard !targets.isEmpty else { throw fail(top["target_tasks"]!, "'target_tasks' names no task") }
            guard !nonTargets.isEmpty else { throw fail(top["non_target_tasks"]!, "'non_target_tasks' names no task (forgetting is measured on them)") }
            for (i, t) in nonTargets.enumerated() where targets.contains(t) {
                throw RunnerError.invalid("\(locations["non_target_tasks[\(i)]"] ?? path): task '\(t)' is listed as both a target and a non-target task")
            }
            if let d = Self.firstDuplicate(targets + nonTargets) { throw fail(top["target_tasks"]!, "task '\(d)' is listed twice") }

            var limit: Int? = nil
            var seed: UInt64 = 1234
            if let node = top["evaluation"] {
                let f = try fields(node, section: "evaluation", allowed: ["limit", "seed"])
                if let v = f["limit"] { limit = try int(v, "evaluation.limit", minimum: 1) }
                if let v = f["seed"] { seed = UInt64(try int(v, "evaluation.seed", minimum: 0)) }
            }

            var seeds: [UInt64] = [1]
            if let node = top["seeds"] {
                if let list = node.sequence {
                    seeds = try list.map { UInt64(try int($0, "seeds", minimum: 0)) }
                    guard !seeds.isEmpty else { throw fail(node, "'seeds' names no seed") }
                    if let d = Self.firstDuplicate(seeds.map(String.init)) { throw fail(node, "seed \(d) is listed twice") }
                } else {
                    let n = try int(node, "seeds", minimum: 1)
                    seeds = (1 ... n).map(UInt64.init)
                }
            }

            var gates: GateConfiguration?
            if let node = top["gates"] { gates = try GateConfiguration.parse(node, path: path) }

            let spec = ExperimentSpec(
                name: name, description: try top["description"].map { try string($0, "description") }, model: model, scorer: scorer,
                trainingData: data, regimes: regimes, tau: tau, sampling: sampling, training: training, targetTasks: targets,
                nonTargetTasks: nonTargets, evaluationLimit: limit, evaluationSeed: seed, seeds: seeds,
                output: try top["output"].map { try string($0, "output") })
            return (spec, gates)
        }

        static func isDataRegime(_ r: String) -> Bool { DataRegime(rawValue: r) != nil }

        static func firstDuplicate(_ items: [String]) -> String? {
            var seen = Set<String>()
            for i in items where !seen.insert(i).inserted { return i }
            return nil
        }
    }
}
