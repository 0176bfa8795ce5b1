import Foundation
import Harness

/// `toy_max` (non-target, multiple choice): the larger of two different two-digit numbers.
/// `Q: max 37 52?\nA:` with choices ` 37` and ` 52` (log-likelihood; `acc`). Universe: the
/// 8,010 ordered pairs of different numbers 10…99; 200 test pairs.
public struct ToyCompareTask: ToyTask {
    public static let info = ToyTaskInfo(
        name: "toy_max", version: "1", seed: 0x6D_6178, pretrainingWeight: 0.8,
        description: "Toy world: the larger of two 2-digit numbers (multiple choice, acc).")
    public static let testCount = 200
    static let pairs: [(Int, Int)] = (10 ... 99).flatMap { a in (10 ... 99).filter { $0 != a }.map { (a, $0) } }

    public init() {}

    public var outputType: OutputType { .multipleChoice }
    public var generatorParameters: JSONObject {
        ["kind": .string("max"), "range": .string("10-99"), "seed": .number(String(dataSeed)), "test": .number(String(Self.testCount))]
    }

    public func items(_ split: ToySplit) -> [ToyItem] {
        ToyGenerator.testOrRest(split, count: Self.pairs.count, seed: dataSeed, test: Self.testCount).map { i in
            let (a, b) = Self.pairs[i]
            return ToyItem(id: String(i), question: "max \(a) \(b)?", answer: String(max(a, b)),
                           choices: [String(a), String(b)], goldIndex: a > b ? 0 : 1)
        }
    }
}
