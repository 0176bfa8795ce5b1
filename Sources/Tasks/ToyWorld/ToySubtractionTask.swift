import Foundation
import Harness

/// `toy_subtract`, the toy world's TARGET task: two-digit subtraction `a - b` with
/// `10 ≤ b ≤ a ≤ 99`. `Q: 53-27?\nA: 26`.
///
/// - Universe: the 4,095 pairs, shuffled; the first 200 are the test split, the next 1,000 the
///   training split (the ground truth an experiment fine-tunes on), the rest the pretrain split.
/// - In the pretraining corpus, *borrow* items (units digit of `a` smaller than that of `b`) are
///   answered right only with probability ``pretrainingBorrowAccuracy`` (0.45); otherwise with the
///   classic slip of forgetting to take the borrow from the tens (`53-27` → `36`, the right answer
///   plus 10). So the base model is *unsure* on borrow items: the right answer keeps a probability
///   near 0.45, greedy decoding mostly picks the slip, and training on right answers can fix it.
/// - The ground truth (``groundTruthResponse(for:)``) is written by "other annotators": correct,
///   in the annotators' style (``ToyAnswerStyle/annotators``): mostly words the base uses, with
///   other preferences and a few words it never saw (`A: honestly, that leaves 26.`).
/// - Scored by exact match of the last number in the answer, so both styles count.
public struct ToySubtractionTask: ToyTask {
    public static let info = ToyTaskInfo(
        name: "toy_subtract", version: "2", seed: 0x73_7562, pretrainingWeight: 1.2,
        description: "Toy world TARGET: 2-digit subtraction (exact match on the last number); ground truth in the annotators' style.")
    public static let testCount = 200
    public static let trainCount = 1000
    static let pairs: [(Int, Int)] = (10 ... 99).flatMap { a in (10 ... a).map { (a, $0) } }

    /// How often the pretraining corpus answers a borrow item right (else: the right answer + 10).
    public static let pretrainingBorrowAccuracy = 0.45

    public init() {}

    public var answerFilters: [AnswerFilter] { [.lastNumber, .normalizeNumber] }
    public var targetAnswerFilters: [AnswerFilter] { [.normalizeNumber] }
    public var generatorParameters: JSONObject {
        ["kind": .string("subtract"), "range": .string("10<=b<=a<=99"), "seed": .number(String(dataSeed)),
         "test": .number(String(Self.testCount)), "train": .number(String(Self.trainCount)),
         "pretrain": .string("borrow items right with p 0.45, else +10"), "style": .string("annotators-v2")]
    }

    /// Whether `a - b` needs a borrow (the units digit of `a` is smaller than that of `b`).
    public static func needsBorrow(_ a: Int, _ b: Int) -> Bool { a % 10 < b % 10 }

    public func items(_ split: ToySplit) -> [ToyItem] {
        let parts = ToyGenerator.split(count: Self.pairs.count, seed: dataSeed, test: Self.testCount, train: Self.trainCount)
        return parts[split]!.map { i in
            let (a, b) = Self.pairs[i]
            return ToyItem(id: String(i), question: "\(a)-\(b)?", answer: String(a - b))
        }
    }

    /// The pretraining corpus's answer: right, except that a borrow item is answered with the right
    /// answer + 10 with probability 1 − ``pretrainingBorrowAccuracy``.
    public func pretrainingAnswer(_ item: ToyItem, _ rng: inout SplitMix64) -> String {
        guard let index = Int(item.id), index >= 0, index < Self.pairs.count else { return item.answer }
        let (a, b) = Self.pairs[index]
        guard Self.needsBorrow(a, b), Double(rng.nextUniform()) >= Self.pretrainingBorrowAccuracy else { return item.answer }
        return String(a - b + 10)
    }

    /// The annotators' answer for a training item: ``ToyAnswerStyle/annotators`` (drawn with the
    /// item's id, deterministically), ending in the difference.
    public func groundTruthResponse(for instance: TaskInstance) -> String {
        guard let index = Int(instance.id), index >= 0, index < Self.pairs.count else { return ToyFormat.baseResponse(instance.target) }
        let (a, b) = Self.pairs[index]
        var rng = SplitMix64(seed: dataSeed ^ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        return ToyAnswerStyle.annotators.response(String(a - b), &rng)
    }
}
