import Tokenizers
import Foundation
import Harness
import Masking
import Metrics
import NativeModel
import OpenAIBackend
import RunStore
import Sandbox

/// `forgetbench run SPEC.yaml`: evaluates the base model on every task, scores the training set
/// once, builds each regime's training set, fine-tunes one candidate per regime and seed,
/// evaluates each, compares each with the base with paired statistics, and writes the leaderboard.
///
/// The run directory is a durable store (see ``ExperimentLayout``): every stage's output is
/// written atomically once complete, training keeps resumable checkpoints, and model outputs go to
/// a ``ResponseCache`` keyed by fingerprint and request. Running the same spec into the same
/// directory again (after a crash or `kill -9`) finishes the work, recomputing only what was
/// unfinished, with the same results as an uninterrupted run.
public struct ExperimentRunner {
    public var parsed: ExperimentSpecParser.Parsed
    public var registry: TaskRegistry
    public var output: URL
    /// The response cache (default: `OUTPUT/cache.sqlite`).
    public var cacheURL: URL?
    /// Stage lines and progress bars on stderr.
    public var showsProgress = true
    /// Where code-execution tasks run the model's programs (evaluations and self-output
    /// judging); nil: a confined sandbox with the default settings, when a task needs one.
    public var sandbox: Sandbox?

    public init(parsed: ExperimentSpecParser.Parsed, registry: TaskRegistry, output: URL) {
        self.parsed = parsed
        self.registry = registry
        self.output = output
    }

    var spec: ExperimentSpec { parsed.spec }
    var layout: ExperimentLayout { ExperimentLayout(root: output) }

    /// Everything resolved before any work: a bad spec fails here, leaving nothing behind.
    struct Plan {
        var targets: [any EvaluationTask]
        var nonTargets: [any EvaluationTask]
        var trainingTask: (any TrainableTask)?
        var regimes: [(name: String, regime: TrainingRegime)]
        var modelPath: String
        var tokenizerPath: String?
        var scorerPath: String
        var scorerTokenizerPath: String?
        var format: ChatFormat
        var cache: ResponseCache
    }

    func log(_ line: String) {
        if showsProgress { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    /// Checks the spec against the registry and the file system.
    func plan() throws -> Plan {
        let targets = try spec.targetTasks.enumerated().map { try parsed.task($1, key: "target_tasks[\($0)]", in: registry) }
        let nonTargets = try spec.nonTargetTasks.enumerated().map { try parsed.task($1, key: "non_target_tasks[\($0)]", in: registry) }
        let trainingTask = try parsed.trainingTask(in: registry)
        if trainingTask == nil, let file = spec.trainingData.file {
            guard FileManager.default.fileExists(atPath: parsed.resolve(file)) else {
                throw RunnerError.invalid("\(parsed.location("training_data.file")): training file \(parsed.resolve(file)) does not exist")
            }
        }
        let regimes = try spec.regimes.map { ($0, try TrainingRegime.parse($0, tau: spec.tau)) }
        let modelPath = parsed.resolve(spec.model.path)
        guard FileManager.default.fileExists(atPath: modelPath) else {
            throw RunnerError.invalid("\(parsed.location("model.path")): model \(modelPath) does not exist")
        }
        let scorer = spec.scorer ?? spec.model
        let scorerPath = parsed.resolve(scorer.path)
        guard FileManager.default.fileExists(atPath: scorerPath) else {
            throw RunnerError.invalid("\(parsed.location("scorer.path")): scorer model \(scorerPath) does not exist")
        }
        if spec.scorer != nil,
           let trainer = ExperimentDryRun.tokenizerSHA256(model: modelPath, tokenizer: spec.model.tokenizer.map(parsed.resolve)),
           let scoring = ExperimentDryRun.tokenizerSHA256(model: scorerPath, tokenizer: scorer.tokenizer.map(parsed.resolve)), trainer != scoring {
            throw RunnerError.invalid("\(parsed.location("scorer")): the scorer's tokenizer is not the trained model's; the masks are token positions, so the scorer must tokenize as the trainer does")
        }
        try RunDirectory.prepare(output)
        let cache = try ResponseCache(url: cacheURL ?? layout.defaultCache)
        return Plan(targets: targets, nonTargets: nonTargets, trainingTask: trainingTask, regimes: regimes, modelPath: modelPath,
                    tokenizerPath: spec.model.tokenizer.map(parsed.resolve), scorerPath: scorerPath,
                    scorerTokenizerPath: scorer.tokenizer.map(parsed.resolve), format: ChatFormat(rawValue: spec.model.chatFormat) ?? .auto,
                    cache: cache)
    }

    /// The spec record: a directory holds one spec's run; another spec is refused.
    func claimDirectory() throws {
        struct Record: Codable { var name: String; var spec: ExperimentSpec }
        if let data = FileManager.default.contents(atPath: layout.specRecord.path) {
            guard let record = try? RunDirectory.decoder().decode(Record.self, from: data) else {
                throw RunnerError.invalid("\(layout.specRecord.path): not an experiment record; is \(output.path) the output of 'forgetbench run'?")
            }
            guard record.spec == spec else {
                throw RunnerError.invalid("\(output.path) holds a run of a different spec ('\(record.name)'); choose another --output, or delete it to start over")
            }
            log("resuming the run in \(output.path)")
        } else {
            let existing = (try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []
            guard existing.filter({ !$0.hasPrefix(".") && $0 != "cache.sqlite" && !$0.hasPrefix("cache.sqlite-") }).isEmpty else {
                throw RunnerError.invalid("\(output.path) is not empty and holds no experiment; choose an empty or new --output")
            }
            try AtomicFile.write(try RunDirectory.json(Record(name: spec.name, spec: spec)), to: layout.specRecord)
        }
    }

    /// A training set tokenized and scored by the frozen base model (the ground truth, or a data
    /// regime's own set).
    struct ScoredSet {
        var examples: [TrainingExample]
        var scores: [ScoredExample]
        var format: ChatFormat
        var maxSeqLen: Int
        var dataSHA256: String
    }

    /// What the data-regime stage produced: each regime's summary and its scored training set.
    struct DataRegimeSets {
        var summaries: [String: DataRegimeSummary] = [:]
        var sets: [String: ScoredSet] = [:]
    }

    /// What the training stage produced, by candidate key `REGIME#SEED`.
    struct TrainedCandidates {
        var masked: [String: (manifest: MaskedDatasetManifest, examples: [MaskedExample])] = [:]
        var summaries: [String: FineTuningSummary] = [:]
        var failures: [TrainingFailure] = []
    }

    /// Numbered stage lines on stderr.
    final class StageLog {
        let titles: [String]
        var current = 0
        let log: (String) -> Void
        init(titles: [String], log: @escaping (String) -> Void) { self.titles = titles; self.log = log }
        func begin(_ index: Int) { current += 1; log("[\(current)/\(titles.count)] \(titles[index])") }
    }

    /// Runs every stage that is not done yet and writes the reports: evaluate the base model,
    /// score the training set, build the data regimes' sets, train the candidates, evaluate them,
    /// compare each with the base.
    public func run() async throws -> ExperimentResults {
        let plan = try plan()
        try claimDirectory()
        let started = Date()
        var timings = ExperimentTimings()
        let tasks = plan.targets + plan.nonTargets
        let candidates = spec.regimes.count * spec.seeds.count
        let dataRegimes = plan.regimes.filter { $0.regime.data != nil }.map(\.name)
        let stages = StageLog(titles: ["evaluate the base model on \(tasks.count) tasks", "score the training set with the base model"]
            + (dataRegimes.isEmpty ? [] : ["sample the base model's answers (\(dataRegimes.joined(separator: ", ")))"])
            + ["train \(candidates) candidates (\(spec.regimes.count) regimes x \(spec.seeds.count) seeds)",
               "evaluate the \(candidates) candidates", "compare each with the base and write the leaderboard"], log: log)
        log("experiment '\(spec.name)': \(stages.titles.count) stages")
        for (i, s) in stages.titles.enumerated() { log("  \(i + 1). \(s)") }
        let last = stages.titles.count - 1

        stages.begin(0)
        var served: ServedEvaluation?
        defer { served?.stop() }
        let (base, baseRecord, baseRun) = try await evaluateBase(plan: plan, tasks: tasks, served: &served, timings: &timings)
        stages.begin(1)
        let (scorer, builder, trainingSource, trainingInstances, scored) = try await scoreTrainingSet(plan: plan, base: base, served: served,
                                                                                                       timings: &timings)
        var dataSets = DataRegimeSets()
        if !dataRegimes.isEmpty, let task = plan.trainingTask {
            stages.begin(2)
            dataSets = try await buildDataRegimes(dataRegimes, task: task, instances: trainingInstances, plan: plan, base: base, scorer: scorer,
                                                  builder: builder, timings: &timings)
        }
        stages.begin(last - 2)
        let trained = try await trainCandidates(plan: plan, scorer: scorer, builder: builder, scored: scored, dataSets: dataSets, served: served,
                                                timings: &timings)
        stages.begin(last - 1)
        let candidateRuns = try await evaluateCandidates(plan: plan, tasks: tasks, base: base, served: served, failures: trained.failures,
                                                         timings: &timings)
        stages.begin(last)
        let regimeResults = try compareCandidates(plan: plan, baseRun: baseRun, candidateRuns: candidateRuns, trained: trained)
        timings.totalSeconds = Date().timeIntervalSince(started)
        return try writeResults(plan: plan, baseRecord: baseRecord, baseRun: baseRun, scorer: scorer, trainingSource: trainingSource,
                                scored: scored, dataRegimes: dataRegimes, dataSets: dataSets, regimeResults: regimeResults,
                                failures: trained.failures, timings: timings)
    }

    /// Stage 1: the base model, evaluated on every task (or loaded from an earlier invocation):
    /// in-process, or through the server (started here when the spec says how; `served` keeps it).
    func evaluateBase(plan: Plan, tasks: [any EvaluationTask], served: inout ServedEvaluation?, timings: inout ExperimentTimings)
        async throws -> (model: EvaluatedModel, record: ModelRecord, run: RunDirectory.Loaded) {
        let base: EvaluatedModel
        let baseRecord: ModelRecord
        if let serving = spec.model.serving {
            let tokenizerFile = try Self.tokenizerFile(model: plan.modelPath, tokenizer: plan.tokenizerPath)
            let server = try await ServedEvaluation(serving: serving, base: plan.modelPath, tokenizer: tokenizerFile, adapters: trainedAdapters(serving),
                                                    maxAdapters: spec.regimes.count * spec.seeds.count,
                                                    log: layout.root.appendingPathComponent("server.log")) { self.log($0) }
            served = server
            let client = try server.model(name: serving.name)
            try await client.client.checkCanEvaluate(tasks)
            let tokenizer = try loadTokenizer(at: tokenizerFile)
            base = EvaluatedModel(model: client, tokenizer: tokenizer, tokenizerPath: tokenizerFile,
                                  templateDirectory: URL(fileURLWithPath: tokenizerFile).deletingLastPathComponent())
            baseRecord = ModelRecord(source: spec.model.path, engine: "openai", fingerprint: server.checkpoint, name: serving.name,
                                     notes: ["served at \(server.baseURL)" + (serving.start == nil ? "; the server is taken to serve \(spec.model.path)" : "")])
        } else {
            let native = try NativeLanguageModel.load(modelPath: plan.modelPath, tokenizerPath: plan.tokenizerPath)
            base = EvaluatedModel(native)
            baseRecord = ModelRecord(source: spec.model.path, engine: "native", fingerprint: native.fingerprint)
        }
        let t0 = Date()
        let baseRun = try await evaluate(model: base, record: baseRecord, tasks: tasks, into: layout.base, cache: plan.cache)
        timings.baseEvaluationSeconds = Date().timeIntervalSince(t0)
        return (base, baseRecord, baseRun)
    }

    /// Stage 2: the training set written into the run directory and scored once by the scorer.
    func scoreTrainingSet(plan: Plan, base: EvaluatedModel, served: ServedEvaluation?, timings: inout ExperimentTimings) async throws
        -> (scorer: EvaluatedModel, builder: MaskedDatasetBuilder, source: String, instances: [TaskInstance], scored: ScoredSet) {
        let t1 = Date()
        // The scorer: the base model (through the server when it is served: token-id prompts, echoed
        // log-probs, after checking that the server tokenizes as the local tokenizer), or the spec's.
        let scorer: EvaluatedModel
        if spec.scorer == nil || (plan.scorerPath == plan.modelPath && plan.scorerTokenizerPath == plan.tokenizerPath) {
            scorer = base
            if let served, !(try await served.checkTokenizer(base.tokenizer, sample: "")) {
                log("  note: the server has no /tokenize; its tokenizer is taken to be \(base.tokenizerPath)")
            }
        } else {
            scorer = EvaluatedModel(try NativeLanguageModel.load(modelPath: plan.scorerPath, tokenizerPath: plan.scorerTokenizerPath))
        }
        let trainingSource: String
        var trainingInstances: [TaskInstance] = []
        if let task = plan.trainingTask {
            trainingInstances = try task.trainingInstances(limit: spec.trainingData.limit)
            guard !trainingInstances.isEmpty else { throw RunnerError.invalid("\(parsed.location("training_data.task")): task '\(task.name)' has an empty training split") }
            try writeTrainingSet(trainingInstances.map { ($0.id, $0.prompt, task.groundTruthResponse(for: $0)) }, to: layout.trainingSet)
            trainingSource = "task \(task.name) (training split, ground truth)"
        } else {
            let trainingFile = parsed.resolve(spec.trainingData.file!)
            trainingSource = spec.trainingData.file!
            if let limit = spec.trainingData.limit {
                let lines = try String(contentsOfFile: trainingFile, encoding: .utf8).split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
                try AtomicFile.write(Data((lines.prefix(limit).joined(separator: "\n") + "\n").utf8), to: layout.trainingSet)
            } else {
                try FileManager.default.createDirectory(at: layout.data, withIntermediateDirectories: true)
                if !FileManager.default.fileExists(atPath: layout.trainingSet.path) {
                    try AtomicFile.write(try Data(contentsOf: URL(fileURLWithPath: trainingFile)), to: layout.trainingSet)
                }
            }
        }
        let builder = MaskedDatasetBuilder(model: scorer.model, tokenizer: scorer.tokenizer, tokenizerPath: scorer.tokenizerPath) {
            FileHandle.standardError.write(Data("  note: \($0)\n".utf8))
        }
        var bar: ProgressLine?
        let scored = try await builder.scoreFile(input: layout.trainingSet.path, chatFormat: plan.format, maxSeqLen: spec.training.maxSequenceLength,
                                           cacheDirectory: layout.data.path) { done, total in
            guard self.showsProgress else { return }
            if bar == nil { bar = ProgressLine(label: "scoring", total: total) }
            bar?.advance(to: done)
        }
        bar?.finish()
        timings.scoringSeconds = Date().timeIntervalSince(t1)
        return (scorer, builder, trainingSource, trainingInstances,
                ScoredSet(examples: scored.examples, scores: scored.scores, format: scored.format, maxSeqLen: scored.maxSeqLen, dataSHA256: scored.dataSHA256))
    }

    /// Stage 3: each data regime's training set, sampled from the base model and scored.
    func buildDataRegimes(_ dataRegimes: [String], task: any TrainableTask, instances trainingInstances: [TaskInstance], plan: Plan,
                          base: EvaluatedModel, scorer: EvaluatedModel, builder: MaskedDatasetBuilder,
                          timings: inout ExperimentTimings) async throws -> DataRegimeSets {
        var sampledSummaries: [String: DataRegimeSummary] = [:]
        var sampledSets: [String: ScoredSet] = [:]
        let t2 = Date()
        let cachedBase = CachingLanguageModel(model: base.model, cache: plan.cache, modelKey: CachingLanguageModel.key(fingerprint: base.model.fingerprint))
        for regime in dataRegimes {
            let summaryURL = layout.dataRegimeSummary(regime)
            if let data = FileManager.default.contents(atPath: summaryURL.path),
               let summary = try? RunDirectory.decoder().decode(DataRegimeSummary.self, from: data) {
                sampledSummaries[regime] = summary
            } else {
                var bar: ProgressLine?
                var sampler = DataRegimeBuilder(model: cachedBase, task: task, sampling: spec.sampling, seed: spec.evaluationSeed)
                sampler.sandbox = try EvaluationPipeline.sandbox(for: [task], given: sandbox)
                let chat = try builder.exampleTokenizer(chatFormat: plan.format, maxLength: scorer.model.maxContextLength).formatter
                if chat.format != .plain {
                    sampler.formatPrompt = { try chat.prompt([(role: "user", content: $0)]).text }
                }
                let (examples, summary) = try await sampler.build(regime: regime, instances: trainingInstances) { done, total in
                    guard self.showsProgress else { return }
                    if bar == nil { bar = ProgressLine(label: regime, total: total) }
                    bar?.advance(to: done)
                }
                bar?.finish()
                guard !examples.isEmpty else {
                    throw RunnerError.invalid("\(regime): the base model answered none of the \(summary.items) training items correctly in \(summary.samplesPerItem) tries; this regime has no data (raise sampling.samples or drop it)")
                }
                try writeTrainingSet(examples.map { ($0.id, $0.prompt, $0.response) }, to: layout.dataRegimeSet(regime))
                try AtomicFile.write(try RunDirectory.json(summary), to: summaryURL)
                sampledSummaries[regime] = summary
            }
            let s = sampledSummaries[regime]!
            log("  \(regime): kept \(s.kept) of \(s.items) items (\(s.correctAnswers) correct of \(s.items * s.samplesPerItem) answers, \(s.generatedTokens) tokens generated)")
            let scoredRegime = try await builder.scoreFile(input: layout.dataRegimeSet(regime).path, chatFormat: plan.format,
                                                     maxSeqLen: spec.training.maxSequenceLength, cacheDirectory: layout.data.path)
            sampledSets[regime] = ScoredSet(examples: scoredRegime.examples, scores: scoredRegime.scores, format: scoredRegime.format,
                                           maxSeqLen: scoredRegime.maxSeqLen, dataSHA256: scoredRegime.dataSHA256)
        }
        timings.dataSeconds = Date().timeIntervalSince(t2)
        return DataRegimeSets(summaries: sampledSummaries, sets: sampledSets)
    }

    /// Stage 4: every candidate's masked set written, and the candidate trained (or found trained).
    func trainCandidates(plan: Plan, scorer: EvaluatedModel, builder: MaskedDatasetBuilder, scored: ScoredSet, dataSets: DataRegimeSets,
                         served: ServedEvaluation?, timings: inout ExperimentTimings) async throws -> TrainedCandidates {
        let candidates = spec.regimes.count * spec.seeds.count
        // A server this run started gives the accelerators back while candidates train; it starts
        // again for their evaluation, with their adapters registered at start.
        let untrained = spec.regimes.contains { regime in spec.seeds.contains { FineTuningJob.finished(in: layout.model(regime, seed: $0)) == nil } }
        if let served, served.startsServer, untrained {
            log("  stopping the server while the candidates train")
            served.stop()
        }
        let sampledSummaries = dataSets.summaries, sampledSets = dataSets.sets
        let t3 = Date()
        var masked: [String: (manifest: MaskedDatasetManifest, examples: [MaskedExample])] = [:]
        var trainingSummaries: [String: FineTuningSummary] = [:]
        var failures: [TrainingFailure] = []
        var index = 0
        let settingsForCount = trainingSettings(seed: 0)
        let stepsPerCandidate = plan.regimes.map { r -> Int in
            let n = r.regime.data != nil ? (sampledSummaries[r.name]?.kept ?? 0) : scored.examples.count
            return settingsForCount.totalSteps(examples: max(1, n))
        }
        let trainingBar = showsProgress ? ProgressLine(label: "training", total: stepsPerCandidate.reduce(0, +) * spec.seeds.count) : nil
        var stepsBefore = 0
        // dpf and stm+dpf score with the ground-truth candidate of the same seed: train them last.
        let trainingOrder = plan.regimes.indices.filter { plan.regimes[$0].regime.masking?.needsReference != true }
            + plan.regimes.indices.filter { plan.regimes[$0].regime.masking?.needsReference == true }
        var referenceScores: [UInt64: [ScoredExample]] = [:]
        /// The training set scored by the ground-truth candidate of `seed` (trained by now).
        func reference(seed: UInt64) async throws -> [ScoredExample] {
            if let done = referenceScores[seed] { return done }
            guard let gt = plan.regimes.first(where: { $0.regime.masking == .groundTruth })?.name else {
                throw RunnerError.invalid("\(parsed.location("regimes")): dpf and stm+dpf need the ground-truth regime")
            }
            let url = layout.model(gt, seed: seed)
            guard FineTuningJob.finished(in: url) != nil else {
                throw RunnerError.invalid("dpf needs the ground-truth candidate of seed \(seed), and its training did not finish (\(url.path))")
            }
            let model = spec.training.method == "full"
                ? try NativeLanguageModel.load(modelPath: url.path)
                : try NativeLanguageModel.load(modelPath: plan.modelPath, tokenizerPath: plan.tokenizerPath, adapterPath: url.path)
            let other = MaskedDatasetBuilder(model: model, tokenizer: scorer.tokenizer, tokenizerPath: scorer.tokenizerPath)
            let scores = try await other.scoreFile(input: layout.trainingSet.path, chatFormat: plan.format, maxSeqLen: spec.training.maxSequenceLength,
                                                   cacheDirectory: nil).scores
            referenceScores[seed] = scores
            return scores
        }
        for regimeIndex in trainingOrder {
            let (regime, trainingRegime) = plan.regimes[regimeIndex]
            for seed in spec.seeds {
                index += 1
                let key = "\(regime)#\(seed)"
                let maskedURL = layout.maskedSet(regime, seed: seed)
                let (lines, manifest): ([MaskedExample], MaskedDatasetManifest)
                if let masking = trainingRegime.masking {
                    let referenceSet = masking.needsReference ? try await reference(seed: seed) : nil
                    (lines, manifest) = try builder.mask(examples: scored.examples, scores: scored.scores, regime: masking, seed: seed, format: scored.format,
                                                         maxSeqLen: scored.maxSeqLen, dataSHA256: scored.dataSHA256, input: layout.trainingSet.path,
                                                         reference: referenceSet)
                } else {
                    // Scored once in the data-regime stage.
                    let s = sampledSets[regime]!
                    (lines, manifest) = try builder.mask(examples: s.examples, scores: s.scores, regime: .groundTruth, seed: seed, format: s.format,
                                                     maxSeqLen: s.maxSeqLen, dataSHA256: s.dataSHA256, input: layout.dataRegimeSet(regime).path)
                }
                try writeMasked(lines, manifest: manifest, to: maskedURL)
                masked[key] = (manifest, lines)
                let modelURL = layout.model(regime, seed: seed)
                defer { stepsBefore += stepsPerCandidate[regimeIndex] }
                if let done = FineTuningJob.finished(in: modelURL) {
                    trainingSummaries[key] = done
                    trainingBar?.pause()
                    log("  [\(index)/\(candidates)] \(regime) seed \(seed): trained earlier (\(done.steps) steps)")
                    continue
                }
                let label = "  [\(index)/\(candidates)] \(regime) seed \(seed)"
                let offset = stepsBefore
                if spec.training.trainer == "command" {
                    do {
                        let summary = try trainExternally(data: maskedURL, seed: seed, output: modelURL, plan: plan) { step in
                            trainingBar?.advance(to: offset + step)
                        }
                        trainingBar?.pause()
                        trainingSummaries[key] = summary
                        log(String(format: "%@: %d steps, final loss %.4f, %.1f s (%@)", label, summary.steps, summary.finalLoss, summary.seconds,
                                   spec.training.command ?? ""))
                    } catch let error as ExternalTrainerError {
                        trainingBar?.pause()
                        let logPath = String(error.log.dropFirst(output.standardizedFileURL.path.count + 1))
                        failures.append(TrainingFailure(regime: regime, seed: seed, exitCode: error.exitCode, message: error.problem,
                                                        log: error.log.hasPrefix(output.standardizedFileURL.path + "/") ? logPath : error.log,
                                                        lastLines: Array(error.lastLines.suffix(10))))
                        log("\(label): training failed: \(error)")
                    }
                    continue
                }
                // A fresh base model: training updates its weights in place.
                let trainee = try NativeLanguageModel.load(modelPath: plan.modelPath, tokenizerPath: plan.tokenizerPath)
                var job = FineTuningJob(model: trainee, modelSource: plan.modelPath, settings: trainingSettings(seed: seed), method: method)
                job.maxSequenceLength = spec.training.maxSequenceLength
                job.resume = .automatic
                job.progress = { p in trainingBar?.advance(to: offset + p.step) }
                let examples = lines.map(LabeledSequence.init)
                let dataHash = lines.contains { $0.weights != nil }
                    ? ContentHash.sha256(try JSONEncoder().encode(examples))
                    : ContentHash.sha256(try JSONEncoder().encode(examples.map { [$0.inputIDs, $0.labels] }))
                let summary = try job.run(examples: examples, dataSHA256: dataHash, output: modelURL)
                trainingBar?.pause()
                trainingSummaries[key] = summary
                log(String(format: "%@: %d steps, final loss %.4f, %.1f s%@", label, summary.steps, summary.finalLoss, summary.seconds,
                           summary.resumed ? " (resumed from a checkpoint)" : ""))
            }
        }
        trainingBar?.finish()
        timings.trainingSeconds = Date().timeIntervalSince(t3)
        return TrainedCandidates(masked: masked, summaries: trainingSummaries, failures: failures)
    }

    /// Stage 5: every trained candidate evaluated on every task.
    func evaluateCandidates(plan: Plan, tasks: [any EvaluationTask], base: EvaluatedModel, served: ServedEvaluation?, failures: [TrainingFailure],
                            timings: inout ExperimentTimings) async throws -> [String: RunDirectory.Loaded] {
        let candidates = spec.regimes.count * spec.seeds.count
        var index = 0
        if let served, let serving = spec.model.serving, served.startsServer, served.server == nil {
            try await served.restart(adapters: trainedAdapters(serving)) { self.log($0) }
        }
        let t4 = Date()
        var candidateRuns: [String: RunDirectory.Loaded] = [:]
        let itemsPerModel = try tasks.map { try $0.instances(limit: spec.evaluationLimit, seed: spec.evaluationSeed).count }.reduce(0, +)
        let evaluationBar = showsProgress ? ProgressLine(label: "evaluating", total: itemsPerModel * candidates) : nil
        for (regime, _) in plan.regimes {
            for seed in spec.seeds {
                index += 1
                if failures.contains(where: { $0.regime == regime && $0.seed == seed }) {
                    evaluationBar?.advance(to: itemsPerModel * index)
                    continue
                }
                let modelURL = layout.model(regime, seed: seed)
                let source = "candidates/\(ExperimentLayout.slug(regime))/seed-\(seed)/model"
                let model: EvaluatedModel
                let record: ModelRecord
                if let served {
                    // The candidate's adapter under its own model id on the same server.
                    let name = served.adapterName(regime: regime, seed: seed)
                    let adapter = try ModelFingerprint.ofAdapter(in: modelURL)
                    try await served.ensureAdapter(name: name, path: modelURL.standardizedFileURL.path)
                    model = EvaluatedModel(model: try served.model(name: name, adapter: adapter), tokenizer: base.tokenizer,
                                           tokenizerPath: base.tokenizerPath, templateDirectory: base.templateDirectory)
                    record = ModelRecord(source: source, engine: "openai", fingerprint: served.checkpoint, adapter: adapter, name: name,
                                         notes: ["served at \(served.baseURL)"])
                } else {
                    let native = spec.training.method == "full"
                        ? try NativeLanguageModel.load(modelPath: modelURL.path)
                        : try NativeLanguageModel.load(modelPath: plan.modelPath, tokenizerPath: plan.tokenizerPath, adapterPath: modelURL.path)
                    model = EvaluatedModel(native)
                    record = ModelRecord(source: source, engine: "native", fingerprint: native.fingerprint, adapter: native.adapterFingerprint)
                }
                evaluationBar?.pause()
                log("  [\(index)/\(candidates)] \(regime) seed \(seed)")
                candidateRuns["\(regime)#\(seed)"] = try await evaluate(model: model, record: record, tasks: tasks,
                                                                        into: layout.evaluation(regime, seed: seed), cache: plan.cache) { n in
                    evaluationBar?.advance(by: n)
                }
                evaluationBar?.advance(to: itemsPerModel * index)
            }
        }
        evaluationBar?.finish()
        timings.evaluationSeconds = Date().timeIntervalSince(t4)
        return candidateRuns
    }

    /// Stage 6: each candidate compared with the base (comparison.json written), summarised per regime.
    func compareCandidates(plan: Plan, baseRun: RunDirectory.Loaded, candidateRuns: [String: RunDirectory.Loaded],
                           trained: TrainedCandidates) throws -> [RegimeResult] {
        let masked = trained.masked, trainingSummaries = trained.summaries
        let comparator = Comparator(targetTasks: Set(spec.targetTasks), gates: parsed.gates ?? GateConfiguration(defaultRule: nil, rules: []))
        var regimeResults: [RegimeResult] = []
        for (regime, trainingRegime) in plan.regimes {
            var results: [CandidateResult] = []
            for seed in spec.seeds {
                let key = "\(regime)#\(seed)"
                guard candidateRuns[key] != nil else { continue }   // its trainer failed
                let comparison = try comparator.compare(base: baseRun, candidate: candidateRuns[key]!)
                try AtomicFile.write(try RunDirectory.json(comparison), to: layout.comparison(regime, seed: seed))
                let counts = masked[key]!.manifest.counts
                results.append(CandidateResult(seed: seed, maskedTokens: counts.maskedTokens, responseTokens: counts.responseTokens,
                                               trainingExamples: counts.examples, training: trainingSummaries[key]!, comparison: comparison))
            }
            guard !results.isEmpty else { continue }
            regimeResults.append(Self.summarize(regime: regime, kind: trainingRegime.kind, candidates: results))
        }
        return regimeResults
    }

    /// The results and the report: the training data's perplexity profile, base scores, regimes.
    func writeResults(plan: Plan, baseRecord: ModelRecord, baseRun: RunDirectory.Loaded, scorer: EvaluatedModel, trainingSource: String,
                      scored: ScoredSet, dataRegimes: [String], dataSets: DataRegimeSets, regimeResults: [RegimeResult],
                      failures: [TrainingFailure], timings: ExperimentTimings) throws -> ExperimentResults {
        let sampledSummaries = dataSets.summaries, sampledSets = dataSets.sets
        let profile = PerplexitySummary(scores: scored.scores, taus: [spec.tau])
        let trainingSummary = TrainingDataSummary(
            source: trainingSource, sha256: scored.dataSHA256, examples: scored.examples.count, responseTokens: profile.tokenCount,
            medianPerplexity: profile.quantile(0.5), p90Perplexity: profile.quantile(0.9), fractionAboveTau: profile.maskedFractions[0].fraction)
        let baseScores = baseRun.results.tasks.compactMap { t in
            t.metrics.first.map { BaseScore(task: t.name, metric: $0.name, value: $0.value, standardError: $0.standardError, items: t.itemCount,
                                       interval95: $0.interval95) }
        }
        let scorerModel = spec.scorer ?? spec.model
        var results = ExperimentResults(
            name: spec.name, description: spec.description, specSHA256: parsed.sha256, base: baseRecord,
            scorer: ModelRecord(source: scorerModel.path, engine: scorer.model is ServedLanguageModel ? "openai" : "native",
                                fingerprint: scorer.model is ServedLanguageModel ? baseRecord.fingerprint : scorer.model.fingerprint,
                                name: (scorer.model as? ServedLanguageModel)?.client.settings.modelName),
            targetTasks: spec.targetTasks, nonTargetTasks: spec.nonTargetTasks, seeds: spec.seeds, tau: spec.tau,
            evaluationLimit: spec.evaluationLimit, baseScores: baseScores, trainingData: trainingSummary,
            dataRegimes: dataRegimes.compactMap { sampledSummaries[$0] }, regimes: regimeResults, gated: parsed.gates != nil, timings: timings,
            trainingFailures: failures.isEmpty ? nil : failures)
        func responseLogProbs(_ scores: [ScoredExample]) -> [[Double]] {
            scores.map { s in s.tokens.trainablePositions.map { s.logProbs[$0 - 1] } }
        }
        results.conditions = ExperimentConditions(
            groundTruthSequencePerplexity: ExperimentConditions.meanSequencePerplexity(responseLogProbs(scored.scores)),
            selfOutputSequencePerplexity: sampledSets[DataRegime.selfOutput.rawValue].map { ExperimentConditions.meanSequencePerplexity(responseLogProbs($0.scores)) })
        let groundTruthPerplexities = profile.sortedPerplexities
        let selfOutputPerplexities = sampledSets[DataRegime.selfOutput.rawValue].map { PerplexitySummary(scores: $0.scores, taus: []).sortedPerplexities }
        try ExperimentReport.write(results, layout: layout, groundTruthPerplexities: groundTruthPerplexities,
                                   selfOutputPerplexities: selfOutputPerplexities)
        return results
    }

    /// The candidates' adapters trained so far, as `(model id, directory)` for a server's start command.
    func trainedAdapters(_ serving: ExperimentSpec.Serving) -> [(name: String, path: String)] {
        spec.regimes.flatMap { regime in spec.seeds.compactMap { seed -> (name: String, path: String)? in
            let url = layout.model(regime, seed: seed)
            guard FineTuningJob.finished(in: url) != nil, TrainerCommand.missingOutput(in: url) == nil,
                  FileManager.default.fileExists(atPath: url.appendingPathComponent("adapter_config.json").path) else { return nil }
            return (ServedEvaluation.adapterName(base: serving.name, regime: regime, seed: seed), url.standardizedFileURL.path)
        } }
    }

    /// Trains one candidate with the spec's external trainer on the masked set `data`, calling
    /// `step` with each optimiser step the trainer reports (`step K/N` lines).
    /// - Throws: ``ExternalTrainerError`` when the trainer fails (its partial output stays for inspection).
    func trainExternally(data: URL, seed: UInt64, output modelURL: URL, plan: Plan, step: @escaping (Int) -> Void) throws -> FineTuningSummary {
        let settings = ExternalTrainerSettings(settings: trainingSettings(seed: seed), method: method, maxSeqLen: spec.training.maxSequenceLength,
                                               dtype: spec.training.dtype ?? "float32")
        var job = ExternalTrainingJob(command: try TrainerCommand(spec.training.command ?? ""), settings: settings, data: data, base: plan.modelPath)
        job.processes = spec.training.gpus ?? 1
        job.line = { line in
            guard line.hasPrefix("step "), let k = Int(line.dropFirst(5).prefix { $0.isNumber }) else { return }
            step(k)
        }
        return try job.run(output: modelURL)
    }

    var method: FineTuningMethod {
        spec.training.method == "full" ? .full
            : .lora(rank: spec.training.loraRank, alpha: spec.training.loraAlpha, dropout: spec.training.loraDropout)
    }

    func trainingSettings(seed: UInt64) -> TrainingSettings {
        var s = TrainingSettings()
        s.learningRate = spec.training.learningRate
        s.epochs = spec.training.epochs
        s.batchSize = spec.training.batchSize
        s.gradientAccumulation = spec.training.gradientAccumulation
        s.warmupSteps = spec.training.warmupSteps
        s.weightDecay = spec.training.weightDecay
        s.maxGradientNorm = spec.training.maxGradientNorm
        s.checkpointEvery = spec.training.checkpointEvery
        s.seed = seed
        return s
    }

    /// Evaluates through the cache, or loads the finished evaluation in `directory`.
    func evaluate(model: EvaluatedModel, record: ModelRecord, tasks: [any EvaluationTask], into directory: URL,
                  cache: ResponseCache, itemsFinished: (@Sendable (Int) -> Void)? = nil) async throws -> RunDirectory.Loaded {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("results.json").path) {
            log("    evaluated earlier: \(directory.path)")
            return try RunDirectory.load(directory)
        }
        let cached = CachingLanguageModel(model: model.model, cache: cache, modelKey: model.cacheKey)
        var pipeline = EvaluationPipeline(model: cached, modelRecord: record,
                                          settings: EvaluationSettings(tasks: tasks.map(\.name), limit: spec.evaluationLimit, seed: spec.evaluationSeed))
        if tasks.contains(where: \.appliesChatTemplate) {
            // Chat-style tasks see the model's own template, as `eval` shows them.
            let chat = try ChatFormatter(format: ChatFormat(rawValue: spec.model.chatFormat) ?? .auto, tokenizer: model.tokenizer,
                                         templateDirectory: model.templateDirectory)
            pipeline.chatPrompt = { try chat.prompt([(role: "user", content: $0)]).text }
            pipeline.chatTemplateSHA256 = chat.template.map { ContentHash.sha256($0.source) }
        }
        pipeline.showsProgress = showsProgress
        pipeline.sandbox = sandbox
        pipeline.progressIndent = "    "
        pipeline.itemsFinished = itemsFinished
        _ = try await pipeline.run(tasks: tasks, output: directory)
        let stats = cached.statistics
        if stats.hits > 0 { log("    \(stats.hits) of \(stats.hits + stats.misses) requests answered from the cache") }
        return try RunDirectory.load(directory)
    }

    func writeTrainingSet(_ examples: [(id: String, prompt: String, response: String)], to url: URL) throws {
        try JSONLines.write(examples.map { ["id": $0.id, "prompt": $0.prompt, "response": $0.response] }, to: url)
    }

    func writeMasked(_ lines: [MaskedExample], manifest: MaskedDatasetManifest, to url: URL) throws {
        try JSONLines.write(lines, to: url)
        try manifest.save(to: MaskedDatasetManifest.path(forDataset: url.path))
    }

    /// Mean and spread over seeds.
    static func summarize(regime: String, kind: String, candidates: [CandidateResult]) -> RegimeResult {
        let deltas = candidates.map(\.comparison.deltas)
        var tasks: [TaskChangeSummary] = []
        if let first = candidates.first {
            for t in first.comparison.tasks {
                guard let metric = t.metrics.first else { continue }
                let perSeed = candidates.compactMap { c in c.comparison.tasks.first { $0.name == t.name }?.metrics.first }
                let scale = Self.pointScale(perSeed)
                let p = perSeed.map { t.role == .nonTarget ? $0.adjustedPValue : $0.pValue }
                let halfWidths = perSeed.map { $0.interval95.map { ($0[1] - $0[0]) / 2 * scale } }
                tasks.append(TaskChangeSummary(
                    task: t.name, role: t.role, metric: metric.metric, changePoints: Spread(perSeed.map { $0.difference * scale }),
                    meanHalfWidthPoints: Spread(halfWidths)?.mean,
                    maxPValue: p.max() ?? 1, significantSeeds05: p.count { $0 < 0.05 }, significantSeeds01: p.count { $0 < 0.01 }))
            }
        }
        let gates = candidates.flatMap(\.comparison.gates)
        return RegimeResult(
            regime: regime, kind: kind, candidates: candidates,
            maskedFraction: SampleStatistics.mean(candidates.map(\.maskedFraction)) ?? 0,
            targetImprovement: Spread(deltas.map(\.targetImprovement)), targetImprovementPoints: Spread(deltas.map(\.targetImprovementPoints)),
            backwardTransfer: Spread(deltas.map(\.backwardTransfer)), backwardTransferPoints: Spread(deltas.map(\.backwardTransferPoints)),
            tasks: tasks, meanTrainingSeconds: SampleStatistics.mean(candidates.map(\.training.seconds)) ?? 0,
            gatesPassed: gates.count { $0.outcome == .pass || $0.outcome == .improved }, gatesFailed: gates.count { $0.outcome == .fail },
            gatesInconclusive: gates.count { $0.outcome == .inconclusive })
    }

    /// 100 for metrics reported in points (a 0–1 scale), else 1.
    static func pointScale(_ metrics: [MetricComparison]) -> Double {
        metrics.allSatisfy { $0.differencePoints != nil } ? 100 : 1
    }
}
