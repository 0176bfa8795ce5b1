import Foundation
import Harness

/// How answers are phrased in the toy world: the *house style* the base model learns in
/// pretraining (for every task) and the *annotators' style* of the target's ground truth.
///
/// Both are drawn from one small grammar of word tokens (see ``ToyVocabulary/words``):
/// `[opener] subject verb answer end`, or the bare answer. The house style is varied (a model that
/// learned it is unsure how a sentence goes on, as an instruct model is among its phrasings); the
/// annotators use the same grammar with other preferences, and some words the base never saw
/// (``alienWords``): their tokens are the rare, very high-perplexity tokens the paper blames for
/// forgetting, while most of their tokens are ones the base finds likely.
public enum ToyAnswerStyle {
    /// One slot of the grammar: choices and their probabilities (summing to 1).
    public struct Slot: Sendable, Hashable {
        public var choices: [String]
        public var weights: [Double]

        /// A choice drawn with `rng`.
        public func draw(_ rng: inout SplitMix64) -> String {
            var u = Double(rng.nextUniform()) * weights.reduce(0, +)
            for (choice, w) in zip(choices, weights) {
                if u < w { return choice }
                u -= w
            }
            return choices[choices.count - 1]
        }
    }

    /// A style: the probability of the bare answer, then the sentence's slots.
    public struct Grammar: Sendable, Hashable {
        public var bare: Double
        public var opener: Slot
        public var subject: Slot
        public var verb: Slot
        public var end: Slot

        /// A response for `answer` (with its leading space): ` 26` or ` well, that makes 26.`.
        public func response(_ answer: String, _ rng: inout SplitMix64) -> String {
            if Double(rng.nextUniform()) < bare { return " " + answer }
            return opener.draw(&rng) + subject.draw(&rng) + verb.draw(&rng) + " " + answer + end.draw(&rng)
        }
    }

    /// The base model's style (pretraining, every task): the bare answer 45% of the time, else a
    /// sentence whose words vary.
    public static let house = Grammar(
        bare: 0.45,
        opener: Slot(choices: ["", " well,", " so", " ok,"], weights: [0.5, 0.2, 0.15, 0.15]),
        subject: Slot(choices: [" that", " it", " this"], weights: [0.6, 0.25, 0.15]),
        verb: Slot(choices: [" is", " makes", " gives"], weights: [0.5, 0.3, 0.2]),
        end: Slot(choices: [".", "!"], weights: [0.7, 0.3]))

    /// The annotators' style (the target's ground truth): always a sentence, the base's words with
    /// other preferences, and the words the base never saw: ` honestly,` and ` clearly,` as openers,
    /// ` leaves` and ` yields` as verbs.
    public static let annotators = Grammar(
        bare: 0,
        opener: Slot(choices: ["", " well,", " so", " honestly,", " clearly,"], weights: [0.45, 0.3, 0.15, 0.05, 0.05]),
        subject: Slot(choices: [" that", " it", " this"], weights: [0.9, 0.07, 0.03]),
        verb: Slot(choices: [" is", " makes", " gives", " leaves", " yields"], weights: [0.65, 0.1, 0.05, 0.1, 0.1]),
        end: Slot(choices: [".", "!"], weights: [0.95, 0.05]))

    /// Words only the annotators use.
    public static let alienWords = [" honestly,", " clearly,", " leaves", " yields"]
}
