import Foundation
import Harness

/// `toy_reverse` (non-target): reverse a three-letter string. `Q: reverse kqz\nA: zqk`.
/// Universe: all 17,576 strings; 200 test, the rest is both the train and the pretrain split. Scored by exact match of the
/// last run of lowercase letters in the answer, so `A: it is zqk` counts as correct.
public struct ToyReverseTask: ToyWordTask {
    public static let info = ToyTaskInfo(
        name: "toy_reverse", version: "1", seed: 0x70_7265_7665, pretrainingWeight: 1.2,
        description: "Toy world: reverse a 3-letter string (exact match on the last lowercase word).")
    public static let verb = "reverse"

    public init() {}

    public var answerFilters: [AnswerFilter] { [.regex(pattern: "[a-z]+", group: 0, selectLast: true)] }

    public static func answer(for word: String) -> String { String(word.reversed()) }
}
