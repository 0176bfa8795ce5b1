import Foundation
import Harness

/// `toy_reverse` (non-target): reverse a three-letter string. `Q: reverse kqz\nA: zqk`.
/// Universe: all 17,576 strings; 200 test, the rest is both the train and the pretrain split. Scored by exact match of the
/// last run of lowercase letters in the answer, so `A: it is zqk` counts as correct.
public struct ToyReverseTask: ToyTask {
    public var name = "toy_reverse"
    public var version = "1"
    public var description: String { "Toy world: reverse a 3-letter string (exact match on the last lowercase word)." }
    /// Seed of the universe's shuffle.
    public var dataSeed: UInt64 = 0x70_7265_7665
    public static let universe = 26 * 26 * 26
    public static let testCount = 200

    public init() {}

    public var answerFilters: [AnswerFilter] { [.regex(pattern: "[a-z]+", group: 0, selectLast: true)] }
    public var generatorParameters: JSONObject {
        ["kind": .string("reverse"), "length": .number("3"), "seed": .number(String(dataSeed)), "test": .number(String(Self.testCount))]
    }

    public func items(_ split: ToySplit) -> [ToyItem] {
        let parts = ToyGenerator.split(count: Self.universe, seed: dataSeed, test: Self.testCount, train: 0)
        let indices = split == .test ? parts[.test]! : parts[.pretrain]!
        return indices.map { i in
            let w = ToyGenerator.word(index: i, length: 3)
            return ToyItem(id: String(i), question: "reverse \(w)", answer: String(w.reversed()))
        }
    }
}
