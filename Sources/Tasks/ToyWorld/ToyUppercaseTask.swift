import Foundation
import Harness

/// `toy_upper` (non-target): write a three-letter string in capitals. `Q: upper kqz\nA: KQZ`.
/// Universe: all 17,576 strings (its own shuffle); 200 test. Scored by exact match of the last
/// run of capital letters in the answer.
public struct ToyUppercaseTask: ToyWordTask {
    public static let info = ToyTaskInfo(
        name: "toy_upper", version: "1", seed: 0x75_7070_6572, pretrainingWeight: 0.8,
        description: "Toy world: a 3-letter string in capitals (exact match on the last capitalised word).")
    public static let verb = "upper"

    public init() {}

    public var answerFilters: [AnswerFilter] { [.regex(pattern: "[A-Z]{2,}", group: 0, selectLast: true)] }

    public static func answer(for word: String) -> String { word.uppercased() }
}
