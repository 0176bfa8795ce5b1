import Tokenizers
import Foundation
import Harness
import Masking
import Metrics
import NativeModel
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
        var regimes: [(name: String, masking: MaskingRegime?)]
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
        func task(_ name: String, key: String) throws -> any EvaluationTask {
            do { return try registry.task(named: name) } catch {
                throw RunnerError.invalid("\(parsed.location(key)): \(error)")
            }
        }
        let targets = try spec.targetTasks.enumerated().map { try task($1, key: "target_tasks[\($0)]") }
        let nonTargets = try spec.nonTargetTasks.enumerated().map { try task($1, key: "non_target_tasks[\($0)]") }
        var trainingTask: (any TrainableTask)?
        if let name = spec.trainingData.task {
            let t = try task(name, key: "training_data.task")
            guard let trainable = t as? any TrainableTask else {
                throw RunnerError.invalid("\(parsed.location("training_data.task")): task '\(name)' has no training split; name a task that has one (the toy_ tasks do) or give training_data.file")
            }
            trainingTask = trainable
        } else if let file = spec.trainingData.file {
            guard FileManager.default.fileExists(atPath: parsed.resolve(file)) else {
                throw RunnerError.invalid("\(parsed.location("training_data.file")): training file \(parsed.resolve(file)) does not exist")
            }
        }
        let regimes = try spec.regimes.map { r -> (String, MaskingRegime?) in
            ExperimentSpecParser.dataRegimes.contains(r) ? (r, nil) : (r, try MaskingRegime.parse(r, tau: spec.tau))
        }
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

    /// Runs every stage that is not done yet and writes the reports.
    public func run() async throws -> ExperimentResults {
        let plan = try plan()
        try claimDirectory()
        let started = Date()
        var timings = ExperimentTimings()
        let tasks = plan.targets + plan.nonTargets
        let candidates = spec.regimes.count * spec.seeds.count
        let dataRegimes = plan.regimes.filter { $0.masking == nil }.map(\.name)
        let stages = ["evaluate the base model on \(tasks.count) tasks", "score the training set with the base model"]
            + (dataRegimes.isEmpty ? [] : ["sample the base model's answers (\(dataRegimes.joined(separator: ", ")))"])
            + ["train \(candidates) candidates (\(spec.regimes.count) regimes x \(spec.seeds.count) seeds)",
               "evaluate the \(candidates) candidates", "compare each with the base and write the leaderboard"]
        log("experiment '\(spec.name)': \(stages.count) stages")
        for (i, s) in stages.enumerated() { log("  \(i + 1). \(s)") }
        var stage = 0
        func begin(_ text: String) { stage += 1; log("[\(stage)/\(stages.count)] \(text)") }

        // 1. The base model.
        begin(stages[0])
        let base = try NativeLanguageModel.load(modelPath: plan.modelPath, tokenizerPath: plan.tokenizerPath)
        let baseRecord = ModelRecord(source: spec.model.path, engine: "native", fingerprint: base.fingerprint)
        let t0 = Date()
        let baseRun = try await evaluate(model: base, record: baseRecord, tasks: tasks, into: layout.base, cache: plan.cache)
        timings.baseEvaluationSeconds = Date().timeIntervalSince(t0)

        // 2. The training set and its scores.
        begin(stages[1])
        let t1 = Date()
        let scorer = plan.scorerPath == plan.modelPath && plan.scorerTokenizerPath == plan.tokenizerPath
            ? base : try NativeLanguageModel.load(modelPath: plan.scorerPath, tokenizerPath: plan.scorerTokenizerPath)
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
        let builder = MaskedDatasetBuilder(model: scorer, tokenizer: scorer.tokenizer, tokenizerPath: scorer.tokenizerPath) {
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

        // 3. Data regimes.
        var sampledSummaries: [String: SampledDataSummary] = [:]
        var sampledSets: [String: (examples: [TrainingExample], scores: [ScoredExample], format: ChatFormat, maxSeqLen: Int, dataSHA256: String)] = [:]
        if !dataRegimes.isEmpty, let task = plan.trainingTask {
            begin(stages[2])
            let t2 = Date()
            let cachedBase = CachingLanguageModel(model: base, cache: plan.cache, modelKey: CachingLanguageModel.key(fingerprint: base.fingerprint))
            for regime in dataRegimes {
                let summaryURL = layout.dataRegimeSummary(regime)
                if let data = FileManager.default.contents(atPath: summaryURL.path),
                   let summary = try? RunDirectory.decoder().decode(SampledDataSummary.self, from: data) {
                    sampledSummaries[regime] = summary
                } else {
                    var bar: ProgressLine?
                    var sampler = SampledDataBuilder(model: cachedBase, task: task, sampling: spec.sampling, seed: spec.evaluationSeed)
                    sampler.sandbox = try EvaluationPipeline.sandbox(for: [task], given: sandbox)
                    let chat = try builder.exampleTokenizer(chatFormat: plan.format, maxLength: scorer.maxContextLength).formatter
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
                sampledSets[regime] = (scoredRegime.examples, scoredRegime.scores, scoredRegime.format, scoredRegime.maxSeqLen, scoredRegime.dataSHA256)
            }
            timings.dataSeconds = Date().timeIntervalSince(t2)
        }

        // 4. Train every candidate (masking first: it is cheap and deterministic).
        begin(stages[stages.count - 3])
        let t3 = Date()
        var masked: [String: (manifest: MaskedDatasetManifest, examples: [MaskedExample])] = [:]
        var trainingSummaries: [String: FineTuningSummary] = [:]
        var failures: [TrainingFailure] = []
        var index = 0
        let settingsForCount = trainingSettings(seed: 0)
        let stepsPerCandidate = plan.regimes.map { r -> Int in
            let n = r.masking == nil ? (sampledSummaries[r.name]?.kept ?? 0) : scored.examples.count
            return settingsForCount.totalSteps(examples: max(1, n))
        }
        let trainingBar = showsProgress ? ProgressLine(label: "training", total: stepsPerCandidate.reduce(0, +) * spec.seeds.count) : nil
        var stepsBefore = 0
        // dpf and stm+dpf score with the ground-truth candidate of the same seed: train them last.
        let trainingOrder = plan.regimes.indices.filter { plan.regimes[$0].masking?.needsReference != true }
            + plan.regimes.indices.filter { plan.regimes[$0].masking?.needsReference == true }
        var referenceScores: [UInt64: [ScoredExample]] = [:]
        /// The training set scored by the ground-truth candidate of `seed` (trained by now).
        func reference(seed: UInt64) async throws -> [ScoredExample] {
            if let done = referenceScores[seed] { return done }
            guard let gt = plan.regimes.first(where: { $0.masking == .groundTruth })?.name else {
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
            let (regime, masking) = plan.regimes[regimeIndex]
            for seed in spec.seeds {
                index += 1
                let key = "\(regime)#\(seed)"
                let maskedURL = layout.maskedSet(regime, seed: seed)
                let (lines, manifest): ([MaskedExample], MaskedDatasetManifest)
                if let masking {
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
                let examples = lines.map { LabeledSequence(inputIDs: $0.inputIDs, labels: $0.labels, weights: $0.weights.map { $0.map { Float($0) } }) }
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

        // 5. Evaluate every candidate.
        begin(stages[stages.count - 2])
        let t4 = Date()
        var candidateRuns: [String: RunDirectory.Loaded] = [:]
        index = 0
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
                let model = spec.training.method == "full"
                    ? try NativeLanguageModel.load(modelPath: modelURL.path)
                    : try NativeLanguageModel.load(modelPath: plan.modelPath, tokenizerPath: plan.tokenizerPath, adapterPath: modelURL.path)
                let record = ModelRecord(source: "candidates/\(ExperimentLayout.slug(regime))/seed-\(seed)/model", engine: "native",
                                         fingerprint: model.fingerprint, adapter: model.adapterFingerprint)
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

        // 6. Compare and report.
        begin(stages[stages.count - 1])
        let comparator = Comparator(targetTasks: Set(spec.targetTasks), gates: parsed.gates ?? GateConfiguration(defaultRule: nil, rules: []))
        var regimeResults: [RegimeResult] = []
        for (regime, masking) in plan.regimes {
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
            regimeResults.append(Self.summarize(regime: regime, kind: masking == nil ? "data" : "masking", candidates: results))
        }
        let responsePerplexities = scored.scores.flatMap { s in s.tokens.trainablePositions.map { exp(-s.logProbs[$0 - 1]) } }.sorted()
        let trainingSummary = TrainingDataSummary(
            source: trainingSource, sha256: scored.dataSHA256, examples: scored.examples.count, responseTokens: responsePerplexities.count,
            medianPerplexity: PerplexitySummary.quantile(responsePerplexities, 0.5), p90Perplexity: PerplexitySummary.quantile(responsePerplexities, 0.9),
            fractionAboveTau: Double(responsePerplexities.count { $0 > spec.tau }) / Double(max(1, responsePerplexities.count)))
        let baseScores = baseRun.results.tasks.compactMap { t in
            t.metrics.first.map { BaseScore(task: t.name, metric: $0.name, value: $0.value, standardError: $0.standardError, items: t.itemCount) }
        }
        timings.totalSeconds = Date().timeIntervalSince(started)
        let scorerModel = spec.scorer ?? spec.model
        var results = ExperimentResults(
            name: spec.name, description: spec.description, specSHA256: parsed.sha256, base: baseRecord,
            scorer: ModelRecord(source: scorerModel.path, engine: "native", fingerprint: scorer.fingerprint),
            targetTasks: spec.targetTasks, nonTargetTasks: spec.nonTargetTasks, seeds: spec.seeds, tau: spec.tau,
            evaluationLimit: spec.evaluationLimit, baseScores: baseScores, trainingData: trainingSummary,
            dataRegimes: dataRegimes.compactMap { sampledSummaries[$0] }, regimes: regimeResults, gated: parsed.gates != nil, timings: timings,
            trainingFailures: failures.isEmpty ? nil : failures)
        func responseLogProbs(_ scores: [ScoredExample]) -> [[Double]] {
            scores.map { s in s.tokens.trainablePositions.map { s.logProbs[$0 - 1] } }
        }
        results.conditions = ExperimentConditions(
            groundTruthSequencePerplexity: ExperimentConditions.meanSequencePerplexity(responseLogProbs(scored.scores)),
            selfOutputSequencePerplexity: sampledSets["self-output"].map { ExperimentConditions.meanSequencePerplexity(responseLogProbs($0.scores)) })
        let groundTruthPerplexities = responsePerplexities
        let selfOutputPerplexities = sampledSets["self-output"].map { set in
            set.scores.flatMap { s in s.tokens.trainablePositions.map { exp(-s.logProbs[$0 - 1]) } }
        }
        try ExperimentReport.write(results, layout: layout, groundTruthPerplexities: groundTruthPerplexities,
                                   selfOutputPerplexities: selfOutputPerplexities)
        return results
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
    func evaluate(model: NativeLanguageModel, record: ModelRecord, tasks: [any EvaluationTask], into directory: URL,
                  cache: ResponseCache, itemsFinished: (@Sendable (Int) -> Void)? = nil) async throws -> RunDirectory.Loaded {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("results.json").path) {
            log("    evaluated earlier: \(directory.path)")
            return try RunDirectory.load(directory)
        }
        let cached = CachingLanguageModel(model: model, cache: cache,
                                          modelKey: CachingLanguageModel.key(fingerprint: model.fingerprint, adapter: model.adapterFingerprint))
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for e in examples {
            data.append(try encoder.encode(["id": e.id, "prompt": e.prompt, "response": e.response]))
            data.append(0x0A)
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(data, to: url)
    }

    func writeMasked(_ lines: [MaskedExample], manifest: MaskedDatasetManifest, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for line in lines {
            data.append(try encoder.encode(line))
            data.append(0x0A)
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(data, to: url)
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
                let halfWidths = perSeed.compactMap { $0.interval95.map { ($0[1] - $0[0]) / 2 * scale } }
                tasks.append(TaskChangeSummary(
                    task: t.name, role: t.role, metric: metric.metric, changePoints: Spread(perSeed.map { $0.difference * scale }),
                    meanHalfWidthPoints: halfWidths.count == perSeed.count && !halfWidths.isEmpty ? halfWidths.reduce(0, +) / Double(halfWidths.count) : nil,
                    maxPValue: p.max() ?? 1, significantSeeds05: p.count { $0 < 0.05 }, significantSeeds01: p.count { $0 < 0.01 }))
            }
        }
        let gates = candidates.flatMap(\.comparison.gates)
        return RegimeResult(
            regime: regime, kind: kind, candidates: candidates,
            maskedFraction: candidates.isEmpty ? 0 : candidates.map(\.maskedFraction).reduce(0, +) / Double(candidates.count),
            targetImprovement: Spread(deltas.map(\.targetImprovement)), targetImprovementPoints: Spread(deltas.map(\.targetImprovementPoints)),
            backwardTransfer: Spread(deltas.map(\.backwardTransfer)), backwardTransferPoints: Spread(deltas.map(\.backwardTransferPoints)),
            tasks: tasks, meanTrainingSeconds: candidates.map(\.training.seconds).reduce(0, +) / Double(max(1, candidates.count)),
            gatesPassed: gates.count { $0.outcome == .pass || $0.outcome == .improved }, gatesFailed: gates.count { $0.outcome == .fail },
            gatesInconclusive: gates.count { $0.outcome == .inconclusive })
    }

    /// 100 for metrics reported in points (a 0–1 scale), else 1.
    static func pointScale(_ metrics: [MetricComparison]) -> Double {
        metrics.allSatisfy { $0.differencePoints != nil } ? 100 : 1
    }
}
