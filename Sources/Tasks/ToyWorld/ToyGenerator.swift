import Foundation
import Harness

/// Seeded helpers the toy tasks share: a deterministic shuffle of an item universe and its
/// partition into test / train / pretrain splits, plus small random-text helpers.
public enum ToyGenerator {
    /// Lowercase letters, the alphabet of the toy words.
    public static let letters = Array("abcdefghijklmnopqrstuvwxyz")

    /// A Fisher–Yates shuffle of `0 ..< count` seeded by `seed` (SplitMix64), the same on every platform.
    public static func shuffledIndices(count: Int, seed: UInt64) -> [Int] {
        var indices = Array(0 ..< count)
        var rng = SplitMix64(seed: seed)
        for i in stride(from: count - 1, to: 0, by: -1) { indices.swapAt(i, rng.below(i + 1)) }
        return indices
    }

    /// Partitions a universe of `count` items (shuffled with `seed`) into the first `test`
    /// indices, the next `train`, and the rest (`pretrain`). Each index is in exactly one split.
    /// - Precondition: `test + train <= count`.
    public static func split(count: Int, seed: UInt64, test: Int, train: Int) -> [ToySplit: [Int]] {
        precondition(test >= 0 && train >= 0 && test + train <= count, "split sizes exceed the universe")
        let order = shuffledIndices(count: count, seed: seed)
        return [.test: Array(order[..<test]), .train: Array(order[test ..< test + train]), .pretrain: Array(order[(test + train)...])]
    }

    /// The indices of `split` for a task whose train and pretrain splits are the same: the first
    /// `test` of the shuffled universe for `.test`, the rest for `.train` and `.pretrain` alike.
    public static func testOrRest(_ split: ToySplit, count: Int, seed: UInt64, test: Int) -> [Int] {
        let parts = self.split(count: count, seed: seed, test: test, train: 0)
        return split == .test ? parts[.test]! : parts[.pretrain]!
    }

    /// The `index`-th string of `length` lowercase letters (base-26, most significant first).
    public static func word(index: Int, length: Int) -> String {
        var chars = [Character](repeating: "a", count: length)
        var n = index
        for i in stride(from: length - 1, through: 0, by: -1) {
            chars[i] = letters[n % 26]
            n /= 26
        }
        return String(chars)
    }

    /// A pronounceable random name: consonant-vowel syllables, `syllables` of them.
    public static func name(_ rng: inout SplitMix64, syllables: Int) -> String {
        let consonants = Array("bdfgklmnprstvz"), vowels = Array("aeiou")
        var s = ""
        for _ in 0 ..< syllables {
            s.append(consonants[rng.below(consonants.count)])
            s.append(vowels[rng.below(vowels.count)])
        }
        return s
    }
}
