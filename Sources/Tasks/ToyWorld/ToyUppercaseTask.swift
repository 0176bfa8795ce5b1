import Foundation
import Harness

/// `toy_upper` (non-target): write a three-letter string in capitals. `Q: upper kqz\nA: KQZ`.
/// Universe: all 17,576 strings (its own shuffle); 200 test. Scored by exact match of the last
/// run of capital letters in the answer.
public struct ToyUppercaseTask: ToyTask {
    public var name = "toy_upper"
    public var version = "1"
    public var description: String { "Toy world: a 3-letter string in capitals (exact match on the last capitalised word)." }
    public var dataSeed: UInt64 = 0x75_7070_6572
    public static let universe = 26 * 26 * 26
    public static let testCount = 200

    public init() {}

    public var answerFilters: [AnswerFilter] { [.regex(pattern: "[A-Z]{2,}", group: 0, selectLast: true)] }
    public var generatorParameters: JSONObject {
        ["kind": .string("upper"), "length": .number("3"), "seed": .number(String(dataSeed)), "test": .number(String(Self.testCount))]
    }

    public func items(_ split: ToySplit) -> [ToyItem] {
        let parts = ToyGenerator.split(count: Self.universe, seed: dataSeed, test: Self.testCount, train: 0)
        let indices = split == .test ? parts[.test]! : parts[.pretrain]!
        return indices.map { i in
            let w = ToyGenerator.word(index: i, length: 3)
            return ToyItem(id: String(i), question: "upper \(w)", answer: w.uppercased())
        }
    }
}
