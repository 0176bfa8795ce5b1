import Foundation
import Harness

/// A toy task over the 17,576 three-letter lowercase strings: the question is `verb kqz`, the answer
/// a transform of the string (`toy_reverse`, `toy_upper`). The task's `dataSeed` shuffles the
/// universe; 200 strings are the test split and the rest is both the train and the pretrain split.
public protocol ToyWordTask: ToyTask {
    /// The word before the string in the question, also the generator's `kind` (`reverse`, `upper`).
    static var verb: String { get }
    /// The gold answer for `word`.
    static func answer(for word: String) -> String
}

extension ToyWordTask {
    public static var universe: Int { 26 * 26 * 26 }
    public static var testCount: Int { 200 }

    public var generatorParameters: JSONObject {
        ["kind": .string(Self.verb), "length": .number("3"), "seed": .number(String(dataSeed)), "test": .number(String(Self.testCount))]
    }

    public func items(_ split: ToySplit) -> [ToyItem] {
        ToyGenerator.testOrRest(split, count: Self.universe, seed: dataSeed, test: Self.testCount).map { i in
            let w = ToyGenerator.word(index: i, length: 3)
            return ToyItem(id: String(i), question: "\(Self.verb) \(w)", answer: Self.answer(for: w))
        }
    }
}
