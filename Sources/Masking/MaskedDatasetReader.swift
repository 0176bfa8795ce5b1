import Foundation
import Harness

/// Reads a masked training set: `forgetbench mask`'s output, or any JSON Lines file of `input_ids`
/// and `labels` as Hugging Face's causal-LM collators take them (`ppl` and `weights` optional).
/// The one reader of the format ``MaskedExample`` writes; trainers take what it returns.
public enum MaskedDatasetReader {
    /// Every non-blank line of `path` as an example; `ppl` is all nil where the line has none.
    /// With `vocabularySize`, a token id outside `0..<vocabularySize` is an error too.
    /// - Throws: ``MaskingError/badLine(path:line:problem:)`` naming the file and the line at fault:
    ///   not an object, `input_ids` and `labels` not integer lists of one non-zero length, or
    ///   `weights` not one non-negative number per token.
    public static func read(path: String, vocabularySize: Int? = nil) throws -> [MaskedExample] {
        let lines: [(line: Int, object: JSONObject)]
        do { lines = try JSONLines.readObjects(path: path) } catch {
            throw MaskingError.badLine(path: error.path, line: error.line, problem: error.line == 0 ? "cannot read the training set (\(error.problem))" : error.problem)
        }
        let examples = try lines.map { try example($0.object, line: $0.line, path: path, vocabularySize: vocabularySize) }
        guard !examples.isEmpty else { throw MaskingError.badLine(path: path, line: 0, problem: "no training examples") }
        return examples
    }

    static func example(_ object: JSONObject, line: Int, path: String, vocabularySize: Int?) throws -> MaskedExample {
        func fail(_ problem: String) -> MaskingError { .badLine(path: path, line: line, problem: problem) }
        func integers(_ key: String) -> [Int]? {
            guard let items = object[key]?.arrayValue else { return nil }
            let values = items.compactMap(\.integralValue)
            return values.count == items.count ? values : nil
        }
        guard let ids = integers("input_ids"), let labels = integers("labels"), ids.count == labels.count, !ids.isEmpty else {
            throw fail("expected input_ids and labels of the same non-zero length")
        }
        if let vocabularySize, let bad = ids.first(where: { $0 < 0 || $0 >= vocabularySize }) {
            throw fail("token id \(bad) is outside the vocabulary (0..<\(vocabularySize))")
        }
        var weights: [Double]?
        if let raw = object["weights"] {
            let values = raw.arrayValue?.compactMap(\.doubleValue)
            guard let values, values.count == ids.count, values.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw fail("expected weights: one non-negative number per token")
            }
            weights = values
        }
        let ppl = object["ppl"]?.arrayValue.map { $0.map(\.doubleValue) } ?? []
        return MaskedExample(inputIDs: ids, labels: labels, ppl: ppl.count == ids.count ? ppl : Array(repeating: nil, count: ids.count),
                             id: object["id"]?.stringValue, weights: weights)
    }
}
