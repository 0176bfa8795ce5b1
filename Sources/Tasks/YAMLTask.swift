import Foundation
import Harness
import Jinja
import Sandbox
import SQLExecution

/// A task declared in a YAML file. Creating it checks that its data files exist and match their
/// sha256; `instances` reads and renders the records.
public struct YAMLTask: EvaluationTask, ConfiguredTask, CodeExecutingTask {
    public let spec: TaskSpec
    /// The dataset file, resolved.
    public let datasetURL: URL
    /// The few-shot source file, resolved (nil when few-shot uses the evaluated dataset).
    public let fewshotURL: URL?
    /// The databases of `sql_execution` metrics, by metric name (opened read-only per query).
    public let databases: [String: ReadOnlySQLDatabase]
    /// The training split's file, resolved (nil when the task has none); checked against its
    /// sha256 only when the training items are read.
    public let trainingURL: URL?
    public let contentHash: String

    /// - Throws: `TaskError.dataFileMissing` / `.checksumMismatch` / `.unreadable`.
    public init(spec: TaskSpec, dataRoot: URL) throws(TaskError) {
        self.spec = spec
        datasetURL = DatasetReader.resolve(spec.dataset.path, dataRoot: dataRoot, taskFile: spec.file)
        let datasetSHA = try DatasetReader.verify(spec.dataset, at: datasetURL)
        var hashed: JSONObject = [
            "config": spec.configValue(forHash: true),
            "dataset_sha256": .string(datasetSHA),
        ]
        if let source = spec.fewshot?.source {
            let url = DatasetReader.resolve(source.path, dataRoot: dataRoot, taskFile: spec.file)
            fewshotURL = url
            hashed["fewshot_sha256"] = .string(try DatasetReader.verify(source, at: url))
        } else {
            fewshotURL = nil
        }
        var databases: [String: ReadOnlySQLDatabase] = [:]
        for metric in spec.metrics {
            guard let database = metric.database else { continue }
            let url = DatasetReader.resolve(database.path, dataRoot: dataRoot, taskFile: spec.file)
            hashed["database_sha256.\(metric.name)"] = .string(try DatasetReader.verify(database, at: url))
            do {
                databases[metric.name] = try ReadOnlySQLDatabase(path: url.path)
            } catch {
                throw .unreadable(path: url.path, reason: error.description)
            }
        }
        self.databases = databases
        // The training split decides no evaluation item: it is checked when it is read, and left
        // out of the content hash (so evaluation runs stay comparable across training files).
        trainingURL = spec.training.map { DatasetReader.resolve($0.dataset.path, dataRoot: dataRoot, taskFile: spec.file) }
        contentHash = ContentHash.sha256(JSONValue.object(hashed).canonicalJSON)
    }

    public var name: String { spec.name }
    public var version: String { spec.version }
    public var description: String { spec.description }
    public var outputType: OutputType { spec.outputType }
    public var metrics: [MetricSpec] { spec.metrics.map(\.metricSpec) }
    public var generation: GenerationSettings? { spec.generation }
    public var appliesChatTemplate: Bool { spec.appliesChatTemplate ?? false }
    public var configuration: JSONValue { spec.configValue(forHash: false) }
    public var source: String { spec.file.path }

    /// The selected records of the evaluated dataset (before `limit`).
    public func records() throws(TaskError) -> [DatasetRecord] {
        DatasetReader.select(try DatasetReader.read(datasetURL, format: spec.dataset.format), spec.dataset)
    }

    /// The number of items (the selected records).
    public func itemCount() throws(TaskError) -> Int { try records().count }

    public func instances(limit: Int?, seed: UInt64) throws -> [TaskInstance] {
        try renderInstances(limit: limit, seed: seed)
    }

    /// `instances(limit:seed:)` with its error type spelled out.
    public func renderInstances(limit: Int?, seed: UInt64) throws(TaskError) -> [TaskInstance] {
        let all = try records()
        let items = limit.map { Array(all.prefix(max(0, $0))) } ?? all
        let datasetPath = datasetURL.path

        // Few-shot pool.
        var pool: [DatasetRecord] = []
        var poolPath = datasetPath
        var sameSource = true
        if let fewshot = spec.fewshot, fewshot.k > 0 {
            if let source = fewshot.source, let url = fewshotURL {
                pool = DatasetReader.select(try DatasetReader.read(url, format: source.format), source)
                poolPath = url.path
                sameSource = false
            } else {
                pool = all
            }
            let available = pool.count - (sameSource ? 1 : 0)
            if available < fewshot.k {
                throw .invalidValue(spec.location("fewshot.k"), message: "fewshot k is \(fewshot.k) but the source has only \(max(0, available)) records to draw from")
            }
        }
        // Render each pool record's shot lazily and once.
        var shotCache: [Int: String] = [:]

        var result: [TaskInstance] = []
        result.reserveCapacity(items.count)
        for record in items {
            let item = try render(record, path: datasetPath)
            var prompt = spec.preamble
            if let fewshot = spec.fewshot, fewshot.k > 0 {
                let chosen = sampleShots(fewshot, poolCount: pool.count, exclude: sameSource ? record.index : nil, pool: pool,
                                         seed: fewshot.seed ?? seed, itemIndex: record.index)
                var shots: [String] = []
                for p in chosen {
                    if let cached = shotCache[p] {
                        shots.append(cached)
                    } else {
                        let text = try shot(pool[p], path: poolPath, fewshot: fewshot)
                        shotCache[p] = text
                        shots.append(text)
                    }
                }
                prompt += shots.joined(separator: fewshot.separator) + fewshot.separator
            }
            prompt += item.prompt
            let id = try spec.id.map { t throws(TaskError) in try renderTemplate(t, key: "id", record, path: datasetPath) } ?? String(record.index)
            result.append(TaskInstance(id: id, prompt: prompt, target: item.target,
                                       choices: item.choices.map { spec.targetDelimiter + $0 }, goldIndex: item.gold,
                                       choiceContexts: item.contexts.map { contexts in contexts.map { prompt + $0 } }))
        }
        return result
    }

    /// Pool positions of the shots for one item.
    func sampleShots(_ fewshot: FewShotSpec, poolCount: Int, exclude: Int?, pool: [DatasetRecord], seed: UInt64, itemIndex: Int) -> [Int] {
        let excluded = exclude.flatMap { index in pool.firstIndex { $0.index == index } }
        switch fewshot.sampler {
        case .first:
            return Array((0 ..< poolCount).lazy.filter { $0 != excluded }.prefix(fewshot.k))
        case .random:
            var rng = SplitMix64.forItem(seed: seed, index: itemIndex)
            var chosen: [Int] = []
            var taken = Set<Int>()
            if let excluded { taken.insert(excluded) }
            let eligible = poolCount - taken.count
            if fewshot.k * 2 >= eligible {
                // Dense draw: shuffle the eligible positions.
                var positions = (0 ..< poolCount).filter { !taken.contains($0) }
                for i in 0 ..< fewshot.k {
                    let j = i + rng.below(positions.count - i)
                    positions.swapAt(i, j)
                }
                return Array(positions.prefix(fewshot.k))
            }
            while chosen.count < fewshot.k {
                let p = rng.below(poolCount)
                if taken.insert(p).inserted { chosen.append(p) }
            }
            return chosen
        }
    }

    struct RenderedItem {
        var prompt: String
        var target: String
        var choices: [String]
        var gold: Int?
        /// Per-choice contexts (partial evaluation), without the shared prompt.
        var contexts: [String]?
    }

    func render(_ record: DatasetRecord, path: String) throws(TaskError) -> RenderedItem {
        let prompt = try renderTemplate(spec.prompt, key: "prompt", record, path: path)
        var choices: [String] = []
        var gold: Int?
        var target = ""
        var contexts: [String]?
        if spec.outputType == .multipleChoice {
            choices = try renderChoices(record, path: path)
            if let contextSpec = spec.contexts {
                let rendered = try renderList(contextSpec, key: "contexts", record, path: path)
                if choices.count == 1 { choices = Array(repeating: choices[0], count: rendered.count) }
                guard choices.count == rendered.count else {
                    throw .templateFailed(task: spec.location("contexts"), record: SourceLocation(path: path, line: record.line),
                                          message: "\(rendered.count) contexts but \(choices.count) choices; give one choice for every context, or one for all")
                }
                contexts = rendered
                // A gold given as text names a context (the choices may all be the same text).
                gold = try goldIndex(record, path: path, choices: rendered)
            } else {
                gold = try goldIndex(record, path: path, choices: choices)
            }
            // With per-choice contexts the choices may all be the same text: the gold context tells them apart.
            target = contexts.map { $0[gold!] + spec.targetDelimiter + choices[gold!] } ?? choices[gold!]
        }
        if let template = spec.target {
            target = try renderTemplate(template, key: "target", record, path: path)
        }
        return RenderedItem(prompt: prompt, target: target, choices: choices, gold: gold, contexts: contexts)
    }

    func shot(_ record: DatasetRecord, path: String, fewshot: FewShotSpec) throws(TaskError) -> String {
        let prompt = try renderTemplate(fewshot.prompt ?? spec.prompt, key: fewshot.prompt == nil ? "prompt" : "fewshot.prompt", record, path: path)
        let answer: String
        if let template = fewshot.target {
            answer = try renderTemplate(template, key: "fewshot.target", record, path: path)
        } else if spec.outputType == .multipleChoice, spec.target == nil {
            let choices = try renderChoices(record, path: path)
            answer = choices[try goldIndex(record, path: path, choices: choices)]
        } else if let template = spec.target {
            answer = try renderTemplate(template, key: "target", record, path: path)
        } else {
            answer = ""
        }
        return prompt + spec.targetDelimiter + answer
    }

    func renderChoices(_ record: DatasetRecord, path: String) throws(TaskError) -> [String] {
        guard let choices = spec.choices else { return [] }
        return try renderList(choices, key: "choices", record, path: path)
    }

    /// The texts of `choices` or `contexts` for one record.
    func renderList(_ list: ChoicesSpec, key: String, _ record: DatasetRecord, path: String) throws(TaskError) -> [String] {
        switch list {
        case let .list(expression):
            let value: Jinja.Value
            do {
                value = try expression.value(record.value)
            } catch {
                throw mapError(error, key: key, record, path: path)
            }
            guard let items = value.listItems else {
                throw .templateFailed(task: spec.location(key), record: SourceLocation(path: path, line: record.line),
                                      message: "'\(key)' must yield a list, but '\(expression.source)' is \(value.kindName)")
            }
            var texts: [String] = []
            for item in items {
                do {
                    texts.append(try item.renderedText(for: expression.source))
                } catch {
                    throw mapError(error, key: key, record, path: path)
                }
            }
            guard !texts.isEmpty else {
                throw .templateFailed(task: spec.location(key), record: SourceLocation(path: path, line: record.line), message: "'\(key)' is an empty list")
            }
            return texts
        case let .templates(templates):
            var texts: [String] = []
            for t in templates { texts.append(try renderTemplate(t, key: key, record, path: path)) }
            return texts
        }
    }

    func goldIndex(_ record: DatasetRecord, path: String, choices: [String]) throws(TaskError) -> Int {
        guard let expression = spec.gold else { return 0 }
        let value: Jinja.Value
        do {
            value = try expression.value(record.value)
        } catch {
            throw mapError(error, key: "gold", record, path: path)
        }
        let where_ = SourceLocation(path: path, line: record.line)
        if case let .int(index) = value {
            guard index >= 0, index < choices.count else {
                throw .templateFailed(task: spec.location("gold"), record: where_, message: "gold index \(index) is out of range for \(choices.count) choices")
            }
            return index
        }
        if case let .string(text) = value {
            if let index = choices.firstIndex(of: text) { return index }
            if let index = Int(text.trimmingCharacters(in: .whitespaces)), index >= 0, index < choices.count { return index }
            throw .templateFailed(task: spec.location("gold"), record: where_, message: "gold '\(text)' is neither a choice nor an index within \(choices.count) choices")
        }
        throw .templateFailed(task: spec.location("gold"), record: where_, message: "gold must be an index or a choice's text, but '\(expression.source)' is \(value.kindName)")
    }

    func renderTemplate(_ template: PromptTemplate, key: String, _ record: DatasetRecord, path: String) throws(TaskError) -> String {
        do {
            return try template.render(record.value)
        } catch {
            throw mapError(error, key: key, record, path: path)
        }
    }

    func mapError(_ error: TemplateEvalError, key: String, _ record: DatasetRecord, path: String) -> TaskError {
        let recordLocation = SourceLocation(path: path, line: record.line)
        switch error {
        case let .missingField(field, available):
            let last = field.split(separator: ".").last.map(String.init) ?? field
            return .missingField(task: spec.location(key), field: field, record: recordLocation,
                                 suggestions: Suggestions.closest(to: last, in: available))
        case let .failed(message):
            return .templateFailed(task: spec.location(key), record: recordLocation, message: "'\(key)': \(message)")
        }
    }

    public func score(_ instance: TaskInstance, response: ModelResponse) -> ItemScore {
        TaskScorer(outputType: spec.outputType, metrics: spec.metrics, targetDelimiter: spec.targetDelimiter, databases: databases)
            .score(instance, response: response)
    }

    public var executesCode: Bool { TaskScorer.codeExecutionScorer(spec.metrics) != nil }

    public func score(_ instances: [TaskInstance], responses: [ModelResponse], sandbox: Sandbox) async -> [ItemScore] {
        guard let scorer = TaskScorer.codeExecutionScorer(spec.metrics) else {
            return zip(instances, responses).map { score($0, response: $1) }
        }
        return await scorer.score(instances, responses: responses, sandbox: sandbox)
    }
}

/// Scores items for a task's output type and metrics (shared by YAML and compiled tasks).
public struct TaskScorer: Sendable {
    public var outputType: OutputType
    public var metrics: [MetricConfig]
    /// Stripped from the front of each choice before measuring its length for `acc_norm`.
    public var targetDelimiter: String
    /// The database of each `sql_execution` metric, by metric name.
    public var databases: [String: ReadOnlySQLDatabase]

    public init(outputType: OutputType, metrics: [MetricConfig], targetDelimiter: String = " ", databases: [String: ReadOnlySQLDatabase] = [:]) {
        self.outputType = outputType
        self.metrics = metrics
        self.targetDelimiter = targetDelimiter
        self.databases = databases
    }

    /// Per-item values: each metric's name (accuracy-type metrics), plus `loglikelihood`, `tokens`,
    /// `words`, `bytes` where perplexities need them. A response of the wrong kind (a Runner bug)
    /// scores 0 on every mean metric, NaN log-likelihood, and says so in `extractedAnswer`.
    public func score(_ instance: TaskInstance, response: ModelResponse) -> ItemScore {
        switch (outputType, response) {
        case let (.multipleChoice, .choices(responses)) where responses.count == instance.choices.count && !responses.isEmpty:
            let texts = instance.choices.map { $0.hasPrefix(targetDelimiter) ? String($0.dropFirst(targetDelimiter.count)) : $0 }
            let result = ItemMetrics.multipleChoice(loglikelihoods: responses.map(\.logLikelihood), choiceTexts: texts, gold: instance.goldIndex ?? 0)
            var values: [String: Double] = [:]
            for metric in metrics {
                values[metric.name] = metric.kind == .accNorm ? result.accNorm : result.acc
            }
            // With per-choice contexts, the prediction is the context chosen.
            return ItemScore(values: values, extractedAnswer: instance.choiceContexts.map { $0[result.predicted] } ?? texts[result.predicted])
        case let (.loglikelihood, .loglikelihood(r)):
            var values = ItemMetrics.rollingValues(text: instance.target, logLikelihood: r.logLikelihood, tokenCount: r.tokenCount)
            for metric in metrics where metric.kind == .acc { values[metric.name] = r.isGreedy ? 1 : 0 }
            return ItemScore(values: values)
        case let (.loglikelihoodRolling, .rolling(r)):
            return ItemScore(values: ItemMetrics.rollingValues(text: instance.prompt, logLikelihood: r.logLikelihood, tokenCount: r.tokenCount))
        case (.generateUntil, .generation) where Self.codeExecutionScorer(metrics) != nil,
             (.generateUntil, .generations) where Self.codeExecutionScorer(metrics) != nil:
            return Self.codeExecutionScorer(metrics)!.score(instance, response: response, sandbox: CodeExecution.fallbackSandbox)
        case let (.generateUntil, .generation(g)):
            var values: [String: Double] = [:]
            var first: String??
            var outcome: String?
            for metric in metrics {
                let result: (score: Double, extracted: String?)
                switch metric.kind {
                case .exactMatch:
                    result = ItemMetrics.exactMatch(response: g.text, target: instance.target, filters: metric.filters, targetFilters: metric.targetFilters)
                case .mathEquivalence:
                    let r = ItemMetrics.mathEquivalence(response: g.text, target: instance.target, filters: metric.filters, targetFilters: metric.targetFilters)
                    result = (r.score, r.extracted)
                    outcome = outcome ?? r.outcome
                case .sqlExecution:
                    guard let database = databases[metric.name] else {
                        result = (0, nil)
                        outcome = outcome ?? "error: no database for metric \(metric.name)"
                        break
                    }
                    let r = ItemMetrics.sqlExecution(response: g.text, targetSQL: instance.target, filters: metric.filters, database: database)
                    result = (r.score, r.extracted)
                    outcome = outcome ?? r.outcome
                default:
                    continue
                }
                values[metric.name] = result.score
                if first == nil { first = .some(result.extracted) }
            }
            return ItemScore(values: values, extractedAnswer: (first ?? nil) ?? "[invalid]", outcome: outcome)
        default:
            var values: [String: Double] = [:]
            for metric in metrics where metric.metricSpec.aggregation == .mean { values[metric.name] = 0 }
            if outputType == .loglikelihoodRolling || outputType == .loglikelihood {
                values[ItemScore.Key.logLikelihood] = .nan
            }
            return ItemScore(values: values, extractedAnswer: "[invalid response: \(Self.kind(response)) for a \(outputType.rawValue) task with \(instance.choices.count) choices]")
        }
    }

    /// The scorer of a task's `code_execution` metrics (they share one extraction: the first
    /// metric's), or nil when it has none.
    static func codeExecutionScorer(_ metrics: [MetricConfig]) -> CodeExecutionScorer? {
        let code = metrics.filter { $0.kind == .codeExecution }
        guard let first = code.first else { return nil }
        return CodeExecutionScorer(extraction: first.codeExecution?.extraction ?? .fenced,
                                   metrics: code.map { ($0.name, $0.codeExecution?.k ?? 1) })
    }

    static func kind(_ response: ModelResponse) -> String {
        switch response {
        case let .choices(c): return "\(c.count) choice log-likelihoods"
        case .loglikelihood: return "a log-likelihood"
        case .rolling: return "a rolling log-likelihood"
        case .generation: return "a generation"
        case let .generations(g): return "\(g.count) generations"
        }
    }
}

/// A task that can show its resolved configuration (`forgetbench tasks show`).
public protocol ConfiguredTask: EvaluationTask {
    /// The resolved configuration, as JSON.
    var configuration: JSONValue { get }
    /// Where it is defined: a task file's path, or "compiled-in".
    var source: String { get }
}
