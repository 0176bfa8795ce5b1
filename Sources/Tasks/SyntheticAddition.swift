import Foundation
import Harness

/// `synthetic_addition`: "What is A + B?" with seeded random operands, answered by generation and
/// scored by exact match of the last number in the answer. Items depend only on `dataSeed`;
/// each item's few-shot examples are drawn with the run's seed.
public struct SyntheticAdditionTask: ConfiguredTask {
    public var name: String
    public var version = "1"
    public var description: String { "Seeded two-operand addition (\(count) items, operands 0-\(maxOperand)); answer by generation, exact match on the last number." }
    public var outputType: OutputType { .generateUntil }
    /// Number of items.
    public var count: Int
    /// Seed of the operands (part of the task's identity).
    public var dataSeed: UInt64
    /// Largest operand (inclusive).
    public var maxOperand: Int
    /// Few-shot examples per item.
    public var shots: Int

    static let filters: [AnswerFilter] = [.lastNumber, .normalizeNumber]
    static let targetFilters: [AnswerFilter] = [.normalizeNumber]

    public init(name: String = "synthetic_addition", count: Int = 500, dataSeed: UInt64 = 20_250_101, maxOperand: Int = 999, shots: Int = 3) {
        precondition(count > 0 && maxOperand > 0 && shots >= 0)
        self.name = name
        self.count = count
        self.dataSeed = dataSeed
        self.maxOperand = maxOperand
        self.shots = shots
    }

    public var metrics: [MetricSpec] { metricConfigs.map(\.metricSpec) }
    var metricConfigs: [MetricConfig] {
        [MetricConfig(name: "exact_match", kind: .exactMatch, filters: Self.filters, targetFilters: Self.targetFilters)]
    }

    public var generation: GenerationSettings? { GenerationSettings(stopSequences: ["\n"], maxTokens: 8) }

    public var source: String { "compiled-in" }

    public var configuration: JSONValue {
        .object([
            "name": .string(name), "version": .string(version), "output_type": .string(outputType.rawValue),
            "generator": .string("addition"), "count": .number(String(count)), "data_seed": .number(String(dataSeed)),
            "max_operand": .number(String(maxOperand)), "shots": .number(String(shots)),
            "prompt": .string("Question: What is {a} + {b}?\nAnswer:"), "target_delimiter": .string(" "),
            "generation": .object(["until": .array([.string("\n")]), "max_tokens": .number("8")]),
            "metrics": .array(metricConfigs.map(\.configValue)),
        ])
    }

    public var contentHash: String { ContentHash.sha256(configuration.canonicalJSON) }

    func operands(_ rng: inout SplitMix64) -> (Int, Int) {
        (rng.below(maxOperand + 1), rng.below(maxOperand + 1))
    }

    static func question(_ a: Int, _ b: Int) -> String { "Question: What is \(a) + \(b)?\nAnswer:" }

    public func instances(limit: Int?, seed: UInt64) throws -> [TaskInstance] {
        var data = SplitMix64(seed: dataSeed)
        let n = min(count, limit ?? count)
        var result: [TaskInstance] = []
        result.reserveCapacity(max(0, n))
        for index in 0 ..< max(0, n) {
            let (a, b) = operands(&data)
            var shotRNG = SplitMix64.forItem(seed: seed, index: index)
            var prompt = ""
            for _ in 0 ..< shots {
                let (x, y) = operands(&shotRNG)
                prompt += Self.question(x, y) + " \(x + y)\n\n"
            }
            prompt += Self.question(a, b)
            result.append(TaskInstance(id: String(index), prompt: prompt, target: String(a + b)))
        }
        return result
    }

    public func score(_ instance: TaskInstance, response: ModelResponse) -> ItemScore {
        TaskScorer(outputType: outputType, metrics: metricConfigs).score(instance, response: response)
    }
}
