import Foundation
import Harness

/// Whether a model's final answer to a MATH problem is the gold answer, decided in Swift: the
/// normalisation of Hendrycks et al. (`MathNormalization`), then structure (`MathAnswer`:
/// tuples and intervals in order with their brackets, sets and bare lists in any order, matrices
/// entry by entry) and values (`MathExpression`): numbers exactly (within 1e-9 relative), or
/// rounded to 6 decimals when either side was written with a decimal point (`\frac{1}{3}` and
/// `0.333333`), and expressions with variables at random points.
///
/// The reference it is measured against is math-verify (Hugging Face); the agreement and every
/// disagreement are in `Tests/Fixtures/math/`.
public enum MathEquivalence {
    /// Whether `candidate` is equivalent to `gold` (both answers, not whole solutions).
    public static func equivalent(_ candidate: String, _ gold: String) -> Bool {
        let c = candidate.trimmingCharacters(in: .whitespacesAndNewlines)
        let g = gold.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !c.isEmpty, !g.isEmpty else { return false }
        let nc = MathNormalization.normalize(c), ng = MathNormalization.normalize(g)
        if nc == ng, !nc.isEmpty { return true }
        // No MATH answer is this long; a model's runaway output is compared as text only.
        guard nc.count <= maxAnswerLength, ng.count <= maxAnswerLength else { return false }
        if equivalent(MathAnswer.parse(nc), MathAnswer.parse(ng)) { return true }
        // A percentage is its number and its fraction: 50\% is 50 and 0.5.
        if hasPercent(g) || hasPercent(c) {
            let scale = { (text: String, answer: MathAnswer) -> MathAnswer in
                guard hasPercent(text), case let .expression(e) = answer else { return answer }
                return .expression(.divide(e, .number(100, decimal: false)))
            }
            return equivalent(scale(c, MathAnswer.parse(nc)), scale(g, MathAnswer.parse(ng)))
        }
        return false
    }

    /// Longest normalised answer compared by structure and value (characters).
    static let maxAnswerLength = 1_000

    static func hasPercent(_ s: String) -> Bool {
        s.hasSuffix("%") || s.hasSuffix("\\%") || s.hasSuffix("\\%}")
    }

    /// Structural and value equivalence of two parsed answers.
    public static func equivalent(_ a: MathAnswer, _ b: MathAnswer) -> Bool {
        switch (a, b) {
        case let (.expression(x), .expression(y)):
            return equalValues(x, y)
        case let (.ordered(xs, o1, c1), .ordered(ys, o2, c2)):
            guard xs.count == ys.count, zip(xs, ys).allSatisfy({ equivalent($0, $1) }) else { return false }
            // An interval's bracket at an infinite end says nothing: [-\infty, 0] is (-\infty, 0].
            let openMatters = !(xs.count == 2 && isInfinite(xs[0]))
            let closeMatters = !(xs.count == 2 && isInfinite(xs[1]))
            return (!openMatters || o1 == o2) && (!closeMatters || c1 == c2)
        case let (.unordered(xs), .unordered(ys)):
            return sameMultiset(xs, ys)
        case let (.union(xs), .union(ys)):
            return xs.count == ys.count && zip(xs, ys).allSatisfy { equivalent($0, $1) }
        case let (.matrix(xs), .matrix(ys)):
            return xs.count == ys.count && zip(xs, ys).allSatisfy { r1, r2 in r1.count == r2.count && zip(r1, r2).allSatisfy { equivalent($0, $1) } }
        case let (.text(x), .text(y)):
            return x == y
        case let (.text(x), .expression(.variable(name))), let (.expression(.variable(name)), .text(x)):
            return x == name.lowercased()
        default:
            return false
        }
    }

    static func isInfinite(_ a: MathAnswer) -> Bool {
        guard case let .expression(e) = a, e.variables.isEmpty else { return false }
        return e.evaluate([:]).isInfinite
    }

    /// Each element of `xs` matched with a distinct equivalent element of `ys`.
    static func sameMultiset(_ xs: [MathAnswer], _ ys: [MathAnswer]) -> Bool {
        guard xs.count == ys.count else { return false }
        var unused = Array(ys.indices)
        for x in xs {
            guard let k = unused.firstIndex(where: { equivalent(x, ys[$0]) }) else { return false }
            unused.remove(at: k)
        }
        return true
    }

    /// Points at which expressions with variables are compared (seeded: the verdict is stable).
    static let samplePoints: [[Double]] = {
        var rng = SplitMix64(seed: 20_250_701)
        return (0 ..< 6).map { _ in (0 ..< 8).map { _ in 0.35 + 2.1 * Double(rng.next() >> 11) / Double(1 << 53) } }
    }()

    /// Whether two expressions have the same value (at the sample points, when they have variables).
    public static func equalValues(_ x: MathExpression, _ y: MathExpression) -> Bool {
        let names = Array(x.variables.union(y.variables)).sorted()
        let rounded = x.hasDecimal || y.hasDecimal
        if names.isEmpty { return close(x.evaluate([:]), y.evaluate([:]), rounded: rounded) }
        guard names.count <= 8 else { return false }
        var compared = 0
        for point in samplePoints {
            var bindings: [String: Double] = [:]
            for (k, name) in names.enumerated() { bindings[name] = point[k] }
            let a = x.evaluate(bindings), b = y.evaluate(bindings)
            if a.isNaN && b.isNaN { continue }
            guard close(a, b, rounded: false) else { return false }
            compared += 1
        }
        return compared >= 3
    }

    static func close(_ a: Double, _ b: Double, rounded: Bool) -> Bool {
        if a.isNaN || b.isNaN { return false }
        if a.isInfinite || b.isInfinite { return a == b }
        if rounded { return (a * 1e6).rounded() == (b * 1e6).rounded() }
        return abs(a - b) <= 1e-9 * max(1, abs(a), abs(b))
    }
}
