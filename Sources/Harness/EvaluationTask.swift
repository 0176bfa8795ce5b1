/// How a task asks the model (lm-evaluation-harness's output types).
public enum OutputType: String, Codable, Sendable, CaseIterable {
    /// One log-likelihood request per choice, sharing the item's context; the highest wins.
    case multipleChoice = "multiple_choice"
    /// The log-likelihood of the item's target after its prompt (and whether it is greedy).
    case loglikelihood
    /// The log-likelihood of a whole text, in windows of the model's context.
    case loglikelihoodRolling = "loglikelihood_rolling"
    /// Free generation until a stop sequence or a token budget, then answer extraction.
    case generateUntil = "generate_until"
}

/// How per-item values become one task-level number.
public enum MetricAggregation: String, Codable, Sendable {
    /// The mean of per-item values (accuracy, exact match).
    case mean
    /// `exp(-Σ loglikelihood / Σ units)` over items; units are the item values named by `unitsKey`.
    case perplexity
    /// `-Σ loglikelihood / Σ bytes / ln 2`.
    case bitsPerByte = "bits_per_byte"
}

/// A metric a task reports.
public struct MetricSpec: Codable, Hashable, Sendable {
    /// The name in reports (`acc`, `acc_norm`, `exact_match`, `word_perplexity`, `bits_per_byte`…).
    public var name: String
    /// Which way the metric improves.
    public var direction: MetricDirection
    public var aggregation: MetricAggregation
    /// For `.perplexity`: the per-item value holding the unit count (`tokens`, `words` or `bytes`).
    public var unitsKey: String?

    public init(name: String, direction: MetricDirection, aggregation: MetricAggregation = .mean, unitsKey: String? = nil) {
        self.name = name
        self.direction = direction
        self.aggregation = aggregation
        self.unitsKey = unitsKey
    }
}

/// Settings of a `generate_until` task.
public struct GenerationSettings: Codable, Hashable, Sendable {
    public var stopSequences: [String]
    public var maxTokens: Int
    public var temperature: Double
    public var topP: Double
    /// Answers drawn per item (≥ 1; more than one needs a temperature above 0): the response is
    /// then `.generations` with one answer per sample, as pass@k needs.
    public var samples: Int

    public init(stopSequences: [String], maxTokens: Int, temperature: Double = 0, topP: Double = 1, samples: Int = 1) {
        self.stopSequences = stopSequences
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.samples = samples
    }

    private enum CodingKeys: String, CodingKey { case stopSequences, maxTokens, temperature, topP, samples }

    /// Decodes settings written before `samples` existed as one sample per item.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stopSequences = try c.decode([String].self, forKey: .stopSequences)
        maxTokens = try c.decode(Int.self, forKey: .maxTokens)
        temperature = try c.decode(Double.self, forKey: .temperature)
        topP = try c.decode(Double.self, forKey: .topP)
        samples = try c.decodeIfPresent(Int.self, forKey: .samples) ?? 1
    }
}

/// One evaluation item, fully rendered (few-shot examples included in `prompt`).
public struct TaskInstance: Codable, Hashable, Sendable {
    /// Stable within the task and dataset version (a record id, or the record's index).
    public var id: String
    /// The context the model sees.
    public var prompt: String
    /// The gold answer as text, for reports and for `loglikelihood` tasks.
    public var target: String
    /// For `multiple_choice`: the continuations scored after `prompt`.
    public var choices: [String]
    /// For `multiple_choice`: the index of the correct choice.
    public var goldIndex: Int?
    /// For `multiple_choice` with partial evaluation (Winogrande): the full context of each choice,
    /// one per entry of `choices`, each scored with its own continuation. nil: every choice
    /// follows `prompt`.
    public var choiceContexts: [String]?

    public init(id: String, prompt: String, target: String, choices: [String] = [], goldIndex: Int? = nil, choiceContexts: [String]? = nil) {
        precondition(choiceContexts == nil || choiceContexts!.count == choices.count, "one context per choice")
        self.id = id
        self.prompt = prompt
        self.target = target
        self.choices = choices
        self.goldIndex = goldIndex
        self.choiceContexts = choiceContexts
    }

    /// The log-likelihood requests of a `multiple_choice` item, one per choice in order: each
    /// choice's continuation after its own context (`choiceContexts`) or after `prompt`.
    public var choiceRequests: [LoglikelihoodRequest] {
        choices.indices.map { k in LoglikelihoodRequest(context: choiceContexts?[k] ?? prompt, continuation: choices[k]) }
    }

    /// The text that identifies what the model was shown (hashed into sample records so items
    /// pair across runs): `prompt`, or every choice's context when they differ.
    public var shownText: String {
        guard let choiceContexts else { return prompt }
        return choiceContexts.joined(separator: "\u{1E}")
    }
}

/// What the model answered for one item. In JSON: `{"type": "choices", "choices": [...]}`,
/// `{"type": "loglikelihood", "loglikelihood": {...}}`, `{"type": "rolling", "rolling": {...}}` or
/// `{"type": "generation", "generation": {...}}` or `{"type": "generations", "generations": [...]}`.
public enum ModelResponse: Codable, Hashable, Sendable {
    case choices([LoglikelihoodResponse])
    case loglikelihood(LoglikelihoodResponse)
    case rolling(RollingLoglikelihoodResponse)
    case generation(GenerationResponse)
    /// Several answers to one item (`GenerationSettings.samples` > 1), in sample order.
    case generations([GenerationResponse])

    private enum Kind: String, Codable { case choices, loglikelihood, rolling, generation, generations }
    private enum CodingKeys: String, CodingKey { case type, choices, loglikelihood, rolling, generation, generations }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(Kind.self, forKey: .type) {
        case .choices: self = .choices(try c.decode([LoglikelihoodResponse].self, forKey: .choices))
        case .loglikelihood: self = .loglikelihood(try c.decode(LoglikelihoodResponse.self, forKey: .loglikelihood))
        case .rolling: self = .rolling(try c.decode(RollingLoglikelihoodResponse.self, forKey: .rolling))
        case .generation: self = .generation(try c.decode(GenerationResponse.self, forKey: .generation))
        case .generations: self = .generations(try c.decode([GenerationResponse].self, forKey: .generations))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .choices(let v): try c.encode(Kind.choices, forKey: .type); try c.encode(v, forKey: .choices)
        case .loglikelihood(let v): try c.encode(Kind.loglikelihood, forKey: .type); try c.encode(v, forKey: .loglikelihood)
        case .rolling(let v): try c.encode(Kind.rolling, forKey: .type); try c.encode(v, forKey: .rolling)
        case .generation(let v): try c.encode(Kind.generation, forKey: .type); try c.encode(v, forKey: .generation)
        case .generations(let v): try c.encode(Kind.generations, forKey: .type); try c.encode(v, forKey: .generations)
        }
    }
}

/// An item's score: metric values by name, plus auxiliary values some aggregations need (for
/// example `loglikelihood` and `bytes` for bits per byte), and the extracted answer if any.
public struct ItemScore: Codable, Hashable, Sendable {
    public var values: [String: Double]
    public var extractedAnswer: String?
    /// How the item's answer fared, for scorers that tell more than 0/1 (`equivalent`,
    /// `no_answer`, `wrong_result`, `refused: writing (DELETE from city)`, `timeout`…); nil otherwise.
    public var outcome: String?

    public init(values: [String: Double], extractedAnswer: String? = nil, outcome: String? = nil) {
        self.values = values
        self.extractedAnswer = extractedAnswer
        self.outcome = outcome
    }
}

/// A task the harness can evaluate: declared in YAML or compiled in.
public protocol EvaluationTask: Sendable {
    var name: String { get }
    var version: String { get }
    var description: String { get }
    var outputType: OutputType { get }
    var metrics: [MetricSpec] { get }
    /// Present for `generate_until` tasks.
    var generation: GenerationSettings? { get }
    /// sha256 (hex) of everything that decides the items and their scoring: the resolved
    /// configuration and the dataset's bytes. Two runs are comparable only if it matches.
    var contentHash: String { get }
    /// The items, rendered, in a deterministic order. `limit` keeps the first N (after any
    /// task-defined selection); `seed` drives few-shot sampling.
    func instances(limit: Int?, seed: UInt64) throws -> [TaskInstance]
    /// Scores one item from the model's response.
    func score(_ instance: TaskInstance, response: ModelResponse) -> ItemScore

    /// Whether each prompt is shown as a user turn of the model's chat template (with the
    /// generation prompt), as lm-eval's `--apply_chat_template`. Default false.
    var appliesChatTemplate: Bool { get }
}

extension EvaluationTask {
    public var appliesChatTemplate: Bool { false }
}
