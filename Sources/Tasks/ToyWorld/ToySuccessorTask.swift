import Foundation
import Harness

/// `toy_successor` (non-target): the number after n, for n in 0…998. `Q: after 47?\nA: 48`.
/// 200 test numbers, the rest train/pretrain. Scored by exact match of the last number.
public struct ToySuccessorTask: ToyTask {
    public static let info = ToyTaskInfo(
        name: "toy_successor", version: "1", seed: 0x73_7563_63, pretrainingWeight: 1,
        description: "Toy world: the successor of a number below 999 (exact match on the last number).")
    public static let universe = 999
    public static let testCount = 200

    public init() {}

    public var answerFilters: [AnswerFilter] { [.lastNumber, .normalizeNumber] }
    public var targetAnswerFilters: [AnswerFilter] { [.normalizeNumber] }
    public var generatorParameters: JSONObject {
        ["kind": .string("successor"), "max": .number("998"), "seed": .number(String(dataSeed)), "test": .number(String(Self.testCount))]
    }

    public func items(_ split: ToySplit) -> [ToyItem] {
        ToyGenerator.testOrRest(split, count: Self.universe, seed: dataSeed, test: Self.testCount).map { n in ToyItem(id: String(n), question: "after \(n)?", answer: String(n + 1)) }
    }
}
