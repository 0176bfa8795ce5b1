import Foundation
import Harness

/// `toy_subtract`, the toy world's TARGET task: two-digit subtraction `a - b` with
/// `10 ≤ b ≤ a ≤ 99`. `Q: 53-27?\nA: 26`.
///
/// - Universe: the 4,095 pairs, shuffled; the first 200 are the test split, the next 1,000 the
///   training split (the ground truth an experiment fine-tunes on), the rest the pretrain split.
/// - The pretrain split holds only *borrow-free* items (units digit of `a` ≥ that of `b`), so the
///   base model learns digit-wise subtraction in the base style and fails where a borrow is needed:
///   it solves the target partly (about the borrow-free share of the test split) and produces
///   correct answers to some training prompts (the `self-output` regime).
/// - The ground truth (``groundTruthResponse(for:)``) is written by "other annotators": correct,
///   but in phrasings the base model never saw (`A: well, that makes 26.`), so most of its
///   tokens have a high perplexity under the base model, as human labels have for real models.
/// - Scored by exact match of the last number in the answer, so both styles count.
public struct ToySubtractionTask: ToyTask {
    public var name = "toy_subtract"
    public var version = "1"
    public var description: String { "Toy world TARGET: 2-digit subtraction (exact match on the last number); ground truth in the annotators' verbose style." }
    public var dataSeed: UInt64 = 0x73_7562
    public static let testCount = 200
    public static let trainCount = 1000
    static let pairs: [(Int, Int)] = (10 ... 99).flatMap { a in (10 ... a).map { (a, $0) } }

    /// The annotators' phrasings; `{a}`, `{b}`, `{c}` are the operands and the difference (always last).
    public static let annotatorTemplates = [
        "well, that makes {c}.",
        "{a} minus {b} leaves {c}.",
        "i get {c} for this one.",
        "the difference is {c}.",
        "taking {b} away gives {c}.",
    ]

    public init() {}

    public var answerFilters: [AnswerFilter] { [.lastNumber, .normalizeNumber] }
    public var targetAnswerFilters: [AnswerFilter] { [.normalizeNumber] }
    public var generatorParameters: [String: JSONValue] {
        ["kind": .string("subtract"), "range": .string("10<=b<=a<=99"), "seed": .number(String(dataSeed)),
         "test": .number(String(Self.testCount)), "train": .number(String(Self.trainCount)),
         "pretrain": .string("borrow-free only"), "annotator_templates": .array(Self.annotatorTemplates.map(JSONValue.string))]
    }

    /// Whether `a - b` needs a borrow (the units digit of `a` is smaller than that of `b`).
    public static func needsBorrow(_ a: Int, _ b: Int) -> Bool { a % 10 < b % 10 }

    public func items(_ split: ToySplit) -> [ToyItem] {
        let parts = ToyGenerator.split(count: Self.pairs.count, seed: dataSeed, test: Self.testCount, train: Self.trainCount)
        var indices = parts[split]!
        if split == .pretrain { indices = indices.filter { !Self.needsBorrow(Self.pairs[$0].0, Self.pairs[$0].1) } }
        return indices.map { i in
            let (a, b) = Self.pairs[i]
            return ToyItem(id: String(i), question: "\(a)-\(b)?", answer: String(a - b))
        }
    }

    /// The annotators' answer for a training item: a leading space and one of
    /// ``annotatorTemplates`` (chosen by the item's id, deterministically), ending in the difference.
    public func groundTruthResponse(for instance: TaskInstance) -> String {
        guard let index = Int(instance.id), index >= 0, index < Self.pairs.count else { return ToyFormat.baseResponse(instance.target) }
        let (a, b) = Self.pairs[index]
        var rng = SplitMix64(seed: dataSeed ^ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        let template = Self.annotatorTemplates[rng.below(Self.annotatorTemplates.count)]
        return " " + template.replacingOccurrences(of: "{a}", with: String(a)).replacingOccurrences(of: "{b}", with: String(b))
            .replacingOccurrences(of: "{c}", with: String(a - b))
    }
}
