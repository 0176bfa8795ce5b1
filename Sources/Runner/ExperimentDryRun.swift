import Foundation
import Harness

/// `forgetbench run --dry-run SPEC`: checks a spec against the task registry and the file system
/// without running anything, and describes the plan: the stages, the trainer's command per candidate,
/// the requests and generated tokens per task, what the output directory already holds, and an
/// estimate of accelerator time.
///
/// Token counts are estimates where no model runs: generated tokens are the upper bound each request
/// allows (`max_tokens`), and prompt and training tokens are the texts' UTF-8 bytes / 4 (about the
/// rate of Llama 3 and Gemma tokenizers on English and code). The time estimate is
/// `generated / generationThroughput + (prompt + trained) / processingThroughput`.
public struct ExperimentDryRun {
    public var parsed: ExperimentSpecParser.Parsed
    public var registry: TaskRegistry
    public var output: URL
    /// Generated tokens per second of the evaluation engine (all requests together), > 0.
    public var generationThroughput: Double = 1500
    /// Prompt and training tokens per second (prefill, or forward and backward), > 0.
    public var processingThroughput: Double = 6000

    public init(parsed: ExperimentSpecParser.Parsed, registry: TaskRegistry, output: URL) {
        self.parsed = parsed
        self.registry = registry
        self.output = output
    }

    var spec: ExperimentSpec { parsed.spec }

    /// One task's share of the plan, per evaluated model.
    public struct TaskPlan: Sendable, Equatable {
        public var name: String
        public var role: String
        public var outputType: String
        public var items: Int
        public var requests: Int
        /// Upper bound: requests × max_tokens (0 for log-likelihood tasks).
        public var generatedTokens: Int
        /// Prompt (and choice) bytes / 4.
        public var promptTokens: Int
    }

    /// The plan's numbers.
    public struct Plan: Sendable, Equatable {
        public var stages: [String]
        public var tasks: [TaskPlan]
        /// Models evaluated: the base and every candidate.
        public var evaluatedModels: Int
        public var candidates: Int
        public var trainingExamples: Int
        /// Tokens of the training set (bytes / 4), per epoch.
        public var trainingTokens: Int
        /// Generations for the data regimes (self-output, rephrase), upper bound on their tokens.
        public var samplingRequests: Int
        public var samplingTokens: Int
        /// Per candidate: the trainer's command (or "built-in trainer") and whether it is already trained / evaluated.
        public var commands: [(candidate: String, command: String, trained: Bool, evaluated: Bool)]
        public var baseEvaluated: Bool
        public var warnings: [String]
        public var estimatedSeconds: Double

        public static func == (a: Plan, b: Plan) -> Bool {
            a.stages == b.stages && a.tasks == b.tasks && a.estimatedSeconds == b.estimatedSeconds
                && a.commands.map(\.command) == b.commands.map(\.command)
        }
    }

    /// Validates the spec and computes the plan.
    /// - Throws: ``RunnerError`` naming the spec file, line and key of what is wrong (an unknown task,
    ///   a training task without a training split, a trainer whose tokenizer is not the scorer's).
    public func plan() throws -> Plan {
        var warnings: [String] = []
        let targets = try spec.targetTasks.enumerated().map { try parsed.task($1, key: "target_tasks[\($0)]", in: registry) }
        let nonTargets = try spec.nonTargetTasks.enumerated().map { try parsed.task($1, key: "non_target_tasks[\($0)]", in: registry) }
        let layout = ExperimentLayout(root: output)

        // Models and tokenizers.
        let modelPath = parsed.resolve(spec.model.path)
        if !FileManager.default.fileExists(atPath: modelPath) {
            warnings.append("\(parsed.location("model.path")): model \(modelPath) is not there yet (it must exist when the spec runs)")
        }
        let scorer = spec.scorer ?? spec.model
        let scorerPath = parsed.resolve(scorer.path)
        if spec.scorer != nil, !FileManager.default.fileExists(atPath: scorerPath) {
            warnings.append("\(parsed.location("scorer.path")): scorer \(scorerPath) is not there yet")
        }
        if spec.scorer != nil,
           let trainerTokenizer = Self.tokenizerSHA256(model: modelPath, tokenizer: spec.model.tokenizer.map(parsed.resolve)),
           let scorerTokenizer = Self.tokenizerSHA256(model: scorerPath, tokenizer: scorer.tokenizer.map(parsed.resolve)),
           trainerTokenizer != scorerTokenizer {
            throw RunnerError.invalid("\(parsed.location("scorer")): the scorer's tokenizer is not the trained model's (tokenizer.json sha256 \(scorerTokenizer.prefix(12))… vs \(trainerTokenizer.prefix(12))…); the masks are token positions, so the scorer must tokenize as the trainer does")
        }

        // Training data.
        var trainingTexts: [String] = []
        let trainable = try parsed.trainingTask(in: registry)
        if let tt = trainable {
            trainingTexts = try tt.trainingInstances(limit: spec.trainingData.limit).map { $0.prompt + tt.groundTruthResponse(for: $0) }
        } else if let file = spec.trainingData.file {
            let path = parsed.resolve(file)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw RunnerError.invalid("\(parsed.location("training_data.file")): training file \(path) cannot be read")
            }
            trainingTexts = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init)
            if let limit = spec.trainingData.limit { trainingTexts = Array(trainingTexts.prefix(limit)) }
        }
        let trainingTokens = trainingTexts.map { Self.estimatedTokens($0) }.reduce(0, +)

        // Evaluation.
        var tasks: [TaskPlan] = []
        for (t, role) in targets.map({ ($0, "target") }) + nonTargets.map({ ($0, "non-target") }) {
            let instances = try t.instances(limit: spec.evaluationLimit, seed: spec.evaluationSeed)
            let requests: Int
            var prompt = 0
            switch t.outputType {
            case .multipleChoice:
                requests = instances.map { max(1, $0.choices.count) }.reduce(0, +)
                prompt = instances.map { i in Self.estimatedTokens(i.prompt) * max(1, i.choices.count) + i.choices.map(Self.estimatedTokens).reduce(0, +) }.reduce(0, +)
            case .loglikelihood:
                requests = instances.count
                prompt = instances.map { Self.estimatedTokens($0.prompt + $0.target) }.reduce(0, +)
            case .loglikelihoodRolling:
                requests = instances.count
                prompt = instances.map { Self.estimatedTokens($0.prompt) }.reduce(0, +)
            case .generateUntil:
                requests = instances.count
                prompt = instances.map { Self.estimatedTokens($0.prompt) }.reduce(0, +)
            }
            let generated = t.outputType == .generateUntil ? requests * (t.generation?.maxTokens ?? 0) : 0
            tasks.append(TaskPlan(name: t.name, role: role, outputType: t.outputType.rawValue, items: instances.count, requests: requests,
                                  generatedTokens: generated, promptTokens: prompt))
        }

        // Data regimes.
        let dataRegimes = spec.regimes.filter(ExperimentSpecParser.dataRegimes.contains)
        var samplingRequests = 0
        var samplingTokens = 0
        if !dataRegimes.isEmpty, let trainable {
            let items = trainingTexts.count
            let maxTokens = spec.sampling.maxTokens ?? trainable.generation?.maxTokens ?? 256
            samplingRequests = dataRegimes.count * items * spec.sampling.samples
            samplingTokens = samplingRequests * maxTokens
        }

        // Candidates, commands and what is done.
        let candidates = spec.regimes.count * spec.seeds.count
        var commands: [(candidate: String, command: String, trained: Bool, evaluated: Bool)] = []
        let command = try spec.training.command.map(TrainerCommand.init)
        for regime in spec.regimes {
            for seed in spec.seeds {
                let modelURL = layout.model(regime, seed: seed)
                let line = command.map {
                    $0.arguments(data: layout.maskedSet(regime, seed: seed).path, settings: modelURL.appendingPathComponent("trainer-settings.json").path,
                                 base: modelPath, output: modelURL.path, gpus: spec.training.gpus ?? 1).map(TrainerCommand.quoted).joined(separator: " ")
                } ?? "built-in trainer (\(spec.training.method))"
                commands.append(("\(regime) seed \(seed)", line, FineTuningJob.finished(in: modelURL) != nil,
                                 FileManager.default.fileExists(atPath: layout.evaluation(regime, seed: seed).appendingPathComponent("results.json").path)))
            }
        }
        let baseEvaluated = FileManager.default.fileExists(atPath: layout.base.appendingPathComponent("results.json").path)

        let stages = ["evaluate the base model on \(tasks.count) tasks", "score the training set with the base model"]
            + (dataRegimes.isEmpty ? [] : ["sample the base model's answers (\(dataRegimes.joined(separator: ", ")))"])
            + ["train \(candidates) candidates (\(spec.regimes.count) regimes x \(spec.seeds.count) seeds)",
               "evaluate the \(candidates) candidates", "compare each with the base and write the leaderboard"]

        // Time: what is not done yet.
        let modelsLeft = (baseEvaluated ? 0 : 1) + commands.filter { !$0.evaluated }.count
        let generatedLeft = tasks.map(\.generatedTokens).reduce(0, +) * modelsLeft + samplingTokens
        let promptLeft = tasks.map(\.promptTokens).reduce(0, +) * modelsLeft
        let trainingLeft = trainingTokens * spec.training.epochs * 3 * commands.filter { !$0.trained }.count + trainingTokens   // ×3: forward + backward; + scoring
        let seconds = Double(generatedLeft) / generationThroughput + Double(promptLeft + trainingLeft) / processingThroughput
        return Plan(stages: stages, tasks: tasks, evaluatedModels: 1 + candidates, candidates: candidates, trainingExamples: trainingTexts.count,
                    trainingTokens: trainingTokens, samplingRequests: samplingRequests, samplingTokens: samplingTokens, commands: commands,
                    baseEvaluated: baseEvaluated, warnings: warnings, estimatedSeconds: seconds)
    }

    /// The plan as text for the terminal.
    public func render(_ p: Plan) -> String {
        var lines = ["experiment '\(spec.name)' (\(parsed.sha256.prefix(12))): the spec is valid", "", "stages:"]
        lines += p.stages.enumerated().map { "  \($0 + 1). \($1)" }
        lines += ["", "evaluation, per model (\(p.evaluatedModels) models: the base and \(p.candidates) candidates):"]
        let width = max(4, p.tasks.map(\.name.count).max() ?? 4)
        lines.append("  " + "task".padding(toLength: width, withPad: " ", startingAt: 0) + "  role        type                    items  requests  generated tokens (max)  prompt tokens (est.)")
        for t in p.tasks {
            lines.append("  " + t.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + t.role.padding(toLength: 10, withPad: " ", startingAt: 0)
                + "  " + t.outputType.padding(toLength: 22, withPad: " ", startingAt: 0)
                + String(format: "  %5d  %8d  %22d  %20d", t.items, t.requests, t.generatedTokens, t.promptTokens))
        }
        let perModel = (p.tasks.map(\.requests).reduce(0, +), p.tasks.map(\.generatedTokens).reduce(0, +))
        lines.append("  all: \(perModel.0) requests, at most \(perModel.1) generated tokens per model; \(perModel.0 * p.evaluatedModels) requests in the run")
        lines += ["", "training: \(p.trainingExamples) examples, about \(p.trainingTokens) tokens per epoch; \(spec.training.epochs) epochs per candidate"]
        if p.samplingRequests > 0 {
            lines.append("data regimes: \(p.samplingRequests) sampled answers, at most \(p.samplingTokens) generated tokens")
        }
        lines += ["", "candidates (trainer: \(spec.training.trainer)):"]
        for c in p.commands {
            let state = c.evaluated ? "trained and evaluated" : c.trained ? "trained" : "to do"
            lines.append("  \(c.candidate) [\(state)]: \(c.command)")
        }
        if let serving = spec.model.serving {
            lines += ["", "evaluation through a server (model.kind: openai), the base model as '\(serving.name)', each candidate as its LoRA adapter:"]
            if let start = serving.start, let command = try? ServerCommand(start) {
                let base = parsed.resolve(spec.model.path)
                let tokenizer = spec.model.tokenizer.map(parsed.resolve) ?? URL(fileURLWithPath: base).appendingPathComponent("tokenizer.json").path
                let words = command.arguments(base: base, tokenizer: tokenizer, name: serving.name, port: serving.port,
                                              maxAdapters: p.candidates, adapters: [])
                lines.append("  start: " + words.map(TrainerCommand.quoted).joined(separator: " ") + (serving.port == nil ? "  ({port}: a free port at run time)" : ""))
            } else if let url = serving.url {
                lines.append("  running server: \(url)")
            }
            lines.append("  the server stops while candidates train, then starts again with their adapters as \(serving.name)-REGIME-seedN (else POST /v1/load_lora_adapter)")
        }
        lines.append("")
        lines.append("already in \(output.path): " + (p.baseEvaluated ? "the base evaluation, " : "")
            + "\(p.commands.count { $0.trained }) of \(p.commands.count) candidates trained, \(p.commands.count { $0.evaluated }) evaluated")
        lines.append(String(format: "estimated accelerator time for what is left: %.1f h (%.0f s) at %.0f generated tokens/s and %.0f processed tokens/s",
                            p.estimatedSeconds / 3600, p.estimatedSeconds, generationThroughput, processingThroughput))
        for w in p.warnings { lines.append("warning: \(w)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// UTF-8 bytes / 4, at least 1 for a non-empty text.
    static func estimatedTokens(_ text: String) -> Int { text.isEmpty ? 0 : max(1, text.utf8.count / 4) }

    /// sha256 of a model's tokenizer file (`tokenizer` when given, else `tokenizer.json` in the model's
    /// directory); nil when there is none to read.
    static func tokenizerSHA256(model: String, tokenizer: String?) -> String? {
        let path = tokenizer ?? URL(fileURLWithPath: model).appendingPathComponent("tokenizer.json").path
        return FileManager.default.contents(atPath: path).map { ContentHash.sha256($0) }
    }
}
