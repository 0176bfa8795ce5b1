import Foundation
import Harness

/// `toy_facts` (non-target): a fixed base of 150 fictional facts, "where does X live".
/// `Q: home of bobow?\nA: pagavi`. Memorised knowledge, the skill forgetting destroys first.
///
/// Unlike the generated skills, a fact base cannot be split: the facts the model learned *are*
/// what is tested. So the test, train and pretrain splits all hold the same 150 facts (the
/// pretraining corpus teaches them; evaluation asks them back). Scored by exact match of the last
/// lowercase word of the answer.
public struct ToyFactsTask: ToyTask {
    public static let info = ToyTaskInfo(
        name: "toy_facts", version: "1", seed: 0x66_6163_7473, pretrainingWeight: 1.4,
        description: "Toy world: 150 memorised fictional facts (person -> home town; exact match on the last lowercase word).")
    public static let factCount = 150

    public init() {}

    public var answerFilters: [AnswerFilter] { [.regex(pattern: "[a-z]+", group: 0, selectLast: true)] }
    public var generatorParameters: JSONObject {
        ["kind": .string("facts"), "count": .number(String(Self.factCount)), "seed": .number(String(dataSeed))]
    }

    /// The facts: distinct names (two consonant-vowel syllables and a letter), each with a town of three syllables (towns may repeat).
    public var facts: [(person: String, town: String)] {
        var rng = SplitMix64(seed: dataSeed)
        var seen = Set<String>()
        var result: [(String, String)] = []
        while result.count < Self.factCount {
            let person = ToyGenerator.name(&rng, syllables: 2) + String(ToyGenerator.letters[rng.below(26)])
            let town = ToyGenerator.name(&rng, syllables: 3)
            guard seen.insert(person).inserted else { continue }
            result.append((person, town))
        }
        return result
    }

    public func items(_ split: ToySplit) -> [ToyItem] {
        facts.enumerated().map { i, f in ToyItem(id: String(i), question: "home of \(f.person)?", answer: f.town) }
    }
}
