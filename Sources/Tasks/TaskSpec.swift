import Foundation
import Harness

/// How a dataset file is encoded.
public enum DatasetFormat: String, Hashable, Sendable, CaseIterable {
    /// One JSON object per line (blank lines skipped).
    case jsonl
    /// gzip-compressed JSON Lines.
    case jsonlGz = "jsonl.gz"
    /// One JSON array of records.
    case json
    /// Comma-separated values with a header row (RFC 4180 quoting); every value is a string.
    case csv
    /// text2sql-data's JSON (`Text2SQLDataset`): one record per question, variables filled in.
    case text2sql
    /// A SQLite database: not records, only the `database` of an `sql_execution` metric.
    case sqlite

    /// The format implied by a file name's extension, if any.
    public static func inferred(from path: String) -> DatasetFormat? {
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl.gz") { return .jsonlGz }
        if lower.hasSuffix(".jsonl") { return .jsonl }
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".csv") { return .csv }
        if lower.hasSuffix(".sqlite") || lower.hasSuffix(".db") { return .sqlite }
        return nil
    }
}

/// A dataset file and the records a task takes from it.
public struct DatasetSpec: Hashable, Sendable {
    /// Relative to the data root; `./` or `../` prefixes are relative to the task file's folder;
    /// absolute paths are used as they are.
    public var path: String
    public var format: DatasetFormat
    /// Expected lowercase hex sha256 of the file; checked before use when present.
    public var sha256: String?
    /// Where the file can be downloaded (shown when it is missing or differs).
    public var url: String?
    /// Record selection: 0-based record index in the file, `start` inclusive, `end` exclusive.
    public var start: Int?
    public var end: Int?
    /// Record selection: keep records whose field (rendered as text) equals the value.
    public var whereEquals: [String: String]
    /// Where the dataset is declared in the task file.
    public var location: SourceLocation

    var configValue: JSONValue {
        var members: JSONObject = ["path": .string(path), "format": .string(format.rawValue)]
        if let sha256 { members["sha256"] = .string(sha256) }
        if let url { members["url"] = .string(url) }
        if start != nil || end != nil {
            var select: JSONObject = [:]
            if let start { select["start"] = .number(String(start)) }
            if let end { select["end"] = .number(String(end)) }
            members["select"] = .object(select)
        }
        if !whereEquals.isEmpty { members["where"] = .object(JSONObject(whereEquals.map { ($0.key, .string($0.value)) })) }
        return .object(members)
    }
}

/// How few-shot examples are drawn and rendered.
public struct FewShotSpec: Hashable, Sendable {
    public enum Sampler: String, Hashable, Sendable, CaseIterable {
        /// `k` distinct records drawn per item with a seeded generator (the item itself excluded).
        case random
        /// The first `k` records of the source in file order, the same for every item (the item
        /// itself skipped when the source is the evaluated dataset).
        case first
    }

    public var k: Int
    /// nil: the evaluated dataset itself.
    public var source: DatasetSpec?
    public var sampler: Sampler
    /// A fixed seed; nil uses the run's seed passed to `instances(limit:seed:)`.
    public var seed: UInt64?
    /// Between examples and before the evaluated item. Default "\n\n".
    public var separator: String
    /// The prompt of an example (default: the task's prompt).
    public var prompt: PromptTemplate?
    /// The answer of an example (default: the gold choice for multiple choice, else the target).
    public var target: PromptTemplate?

    var configValue: JSONValue {
        var members: JSONObject = [
            "k": .number(String(k)), "sampler": .string(sampler.rawValue), "separator": .string(separator),
        ]
        if let source { members["source"] = source.configValue }
        if let seed { members["seed"] = .number(String(seed)) }
        if let prompt { members["prompt"] = .string(prompt.source) }
        if let target { members["target"] = .string(target.source) }
        return .object(members)
    }
}

/// The kinds of metric a task can report.
public enum MetricKind: String, Hashable, Sendable, CaseIterable {
    /// Multiple choice: the highest log-likelihood choice is the gold one (ties go to the first).
    /// Loglikelihood tasks: the target is the greedy continuation.
    case acc
    /// Multiple choice: the highest log-likelihood divided by the choice's UTF-8 byte length.
    case accNorm = "acc_norm"
    /// Generation: the filtered answer equals the filtered target.
    case exactMatch = "exact_match"
    /// Generation: the extracted answer (default: the last `\boxed{}`) is mathematically
    /// equivalent to the target (`MathEquivalence`).
    case mathEquivalence = "math_equivalence"
    /// Generation: the extracted SQL, run read-only on the metric's `database`, returns the same
    /// multiset of rows as the target SQL (execution accuracy).
    case sqlExecution = "sql_execution"
    /// Generation: the program taken from the answer passes the item's tests (its target) when
    /// run in the sandbox; pass@k over the item's answers (`CodeExecutionScorer`).
    case codeExecution = "code_execution"
    /// exp(-Σ loglikelihood / Σ tokens).
    case tokenPerplexity = "token_perplexity"
    /// exp(-Σ loglikelihood / Σ words); words as lm-evaluation-harness counts them (`re.split(r"\s+")`).
    case wordPerplexity = "word_perplexity"
    /// exp(-Σ loglikelihood / Σ bytes).
    case bytePerplexity = "byte_perplexity"
    /// -Σ loglikelihood / Σ bytes / ln 2.
    case bitsPerByte = "bits_per_byte"

    /// The kinds allowed for an output type.
    static func allowed(for type: OutputTypeName) -> [MetricKind] {
        switch type {
        case .multipleChoice: return [.acc, .accNorm]
        case .generateUntil: return [.exactMatch, .mathEquivalence, .sqlExecution, .codeExecution]
        case .loglikelihood: return [.acc, .tokenPerplexity, .wordPerplexity, .bytePerplexity, .bitsPerByte]
        case .loglikelihoodRolling: return [.tokenPerplexity, .wordPerplexity, .bytePerplexity, .bitsPerByte]
        }
    }

    /// The default metrics for an output type when `metrics:` is omitted.
    static func defaults(for type: OutputTypeName) -> [MetricKind] {
        switch type {
        case .multipleChoice: return [.acc, .accNorm]
        case .generateUntil: return [.exactMatch]
        case .loglikelihood: return [.acc, .tokenPerplexity]
        case .loglikelihoodRolling: return [.wordPerplexity, .bytePerplexity, .bitsPerByte]
        }
    }
}

/// Local alias so the spec reads like the YAML.
typealias OutputTypeName = OutputType

/// One metric of a task.
public struct MetricConfig: Hashable, Sendable {
    /// The report name (`acc`, `exact_match_strict`…).
    public var name: String
    public var kind: MetricKind
    /// For `exact_match`: steps applied to the model's answer.
    public var filters: [AnswerFilter]
    /// For `exact_match`: steps applied to the target (default: the normalising steps of `filters`).
    public var targetFilters: [AnswerFilter]
    /// For `sql_execution`: the SQLite database the queries run on (read-only).
    public var database: DatasetSpec?
    /// For `code_execution`: how the program is taken from the answer and the k of pass@k.
    public var codeExecution: CodeExecutionSpec?

    /// The Harness description: direction and aggregation.
    public var metricSpec: MetricSpec {
        switch kind {
        case .acc, .accNorm, .exactMatch, .mathEquivalence, .sqlExecution, .codeExecution: return MetricSpec(name: name, direction: .higherIsBetter, aggregation: .mean)
        case .tokenPerplexity: return MetricSpec(name: name, direction: .lowerIsBetter, aggregation: .perplexity, unitsKey: "tokens")
        case .wordPerplexity: return MetricSpec(name: name, direction: .lowerIsBetter, aggregation: .perplexity, unitsKey: "words")
        case .bytePerplexity: return MetricSpec(name: name, direction: .lowerIsBetter, aggregation: .perplexity, unitsKey: "bytes")
        case .bitsPerByte: return MetricSpec(name: name, direction: .lowerIsBetter, aggregation: .bitsPerByte)
        }
    }

    var configValue: JSONValue {
        var members: JSONObject = [
            "name": .string(name), "type": .string(kind.rawValue),
            "higher_is_better": .bool(metricSpec.direction.higherIsBetter),
            "aggregation": .string(metricSpec.aggregation.rawValue),
        ]
        if kind == .exactMatch || kind == .mathEquivalence || kind == .sqlExecution {
            members["filters"] = .array(filters.map(\.configValue))
            members["target_filters"] = .array(targetFilters.map(\.configValue))
        }
        if let database { members["database"] = database.configValue }
        if let codeExecution {
            members["extract"] = .string(codeExecution.extraction.rawValue)
            members["k"] = .number(String(codeExecution.k))
        }
        return .object(members)
    }
}

/// Where the choices of a multiple-choice item come from.
public enum ChoicesSpec: Hashable, Sendable {
    /// An expression that yields a list (`choices`, `endings`).
    case list(PromptTemplate)
    /// One template per choice (`["{{sol1}}", "{{sol2}}"]`).
    case templates([PromptTemplate])

    var configValue: JSONValue {
        switch self {
        case let .list(e): return .string(e.source)
        case let .templates(ts): return .array(ts.map { .string($0.source) })
        }
    }
}

/// A task file, parsed and checked (but its data not yet read).
public struct TaskSpec: Hashable, Sendable {
    public var name: String
    public var version: String
    public var description: String
    public var outputType: OutputType
    public var dataset: DatasetSpec
    /// A template for the item id; nil uses the record's 0-based index in the file.
    public var id: PromptTemplate?
    /// Text before everything else in each prompt (an instruction), default empty.
    public var preamble: String
    public var prompt: PromptTemplate
    public var target: PromptTemplate?
    public var choices: ChoicesSpec?
    /// An expression for the gold choice: an index, or text equal to one of the choices (or contexts).
    public var gold: PromptTemplate?
    /// Partial evaluation (Winogrande): one context per choice, each choice's continuation scored
    /// after its own context (the prompt, if any, is put before every context). nil: the choices
    /// share the prompt.
    public var contexts: ChoicesSpec?
    /// Between a prompt and its answer (each choice's continuation, each few-shot answer). Default " ".
    public var targetDelimiter: String
    public var fewshot: FewShotSpec?
    public var generation: GenerationSettings?
    public var metrics: [MetricConfig]
    /// The training split, when the task has one (it is then a `TrainableTask`).
    public var training: TrainingSplitSpec?
    /// `chat_template: true`: each prompt is a user turn of the model's chat template (the model's
    /// own, rendered with the generation prompt), as lm-eval's `--apply_chat_template`; nil when
    /// the file does not say (plain prompts). `eval --apply-chat-template` overrides it.
    public var appliesChatTemplate: Bool?
    /// The task file.
    public var file: URL
    /// Where each key was written in the task file (`prompt`, `fewshot.target`…).
    public var locations: [String: SourceLocation]

    func location(_ key: String) -> SourceLocation {
        locations[key] ?? SourceLocation(path: file.path)
    }

    /// The resolved configuration. With `forHash`, fields that do not change items or scores
    /// (description, download URLs) are left out.
    func configValue(forHash: Bool) -> JSONValue {
        var members: JSONObject = [
            "name": .string(name), "version": .string(version), "output_type": .string(outputType.rawValue),
            "preamble": .string(preamble), "prompt": .string(prompt.source), "target_delimiter": .string(targetDelimiter),
            "metrics": .array(metrics.map(\.configValue)),
        ]
        var dataset = self.dataset.configValue
        if forHash, case var .object(d) = dataset { d["url"] = nil; dataset = .object(d) }
        members["dataset"] = dataset
        if !forHash { members["description"] = .string(description) }
        if let id { members["id"] = .string(id.source) }
        if let target { members["target"] = .string(target.source) }
        if let choices { members["choices"] = choices.configValue }
        if let gold { members["gold"] = .string(gold.source) }
        if let contexts { members["contexts"] = contexts.configValue }
        if let training, !forHash { members["training"] = training.configValue }
        if let appliesChatTemplate { members["chat_template"] = .bool(appliesChatTemplate) }
        if var fewshot {
            if forHash { fewshot.source?.url = nil }
            members["fewshot"] = fewshot.configValue
        }
        if let generation {
            var settings: JSONObject = [
                "until": .array(generation.stopSequences.map { .string($0) }),
                "max_tokens": .number(String(generation.maxTokens)),
                "temperature": .number(String(generation.temperature)),
                "top_p": .number(String(generation.topP)),
            ]
            if generation.samples != 1 { settings["samples"] = .number(String(generation.samples)) }
            members["generation"] = .object(settings)
        }
        return .object(members)
    }
}

/// The settings of a `code_execution` metric.
public struct CodeExecutionSpec: Hashable, Sendable {
    /// How the program is taken from an answer (default `fenced`).
    public var extraction: ProgramExtraction
    /// The k of pass@k (≥ 1, at most the answers per item; default 1).
    public var k: Int

    public init(extraction: ProgramExtraction = .fenced, k: Int = 1) {
        self.extraction = extraction
        self.k = k
    }
}

/// A task's training split: its own records, rendered with the task's prompt (or the split's
/// own), the gold answer of each item (for judging self-outputs; code tasks: its tests) and the
/// response to fine-tune on.
public struct TrainingSplitSpec: Hashable, Sendable {
    public var dataset: DatasetSpec
    /// nil: the task's `prompt`.
    public var prompt: PromptTemplate?
    /// The gold answer of a training item; nil: the task's `target`.
    public var target: PromptTemplate?
    /// The ground-truth response to fine-tune on.
    public var response: PromptTemplate

    var configValue: JSONValue {
        var members: JSONObject = ["dataset": dataset.configValue, "response": .string(response.source)]
        if let prompt { members["prompt"] = .string(prompt.source) }
        if let target { members["target"] = .string(target.source) }
        return .object(members)
    }
}
