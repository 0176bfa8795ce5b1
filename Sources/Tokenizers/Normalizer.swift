import Foundation
import Harness

/// A `tokenizer.json` normalizer: rewrites text before pre-tokenization, as the `tokenizers` library does.
enum Normalizer: PipelineStage {
    case sequence([Normalizer])
    case nfc, nfd, nfkc, nfkd
    case lowercase
    case prepend([Unicode.Scalar])
    case replace(SplitPattern, [Unicode.Scalar])
    case strip(left: Bool, right: Bool)
    case stripAccents

    static let field = "normalizer"
    static let sequenceKey = "normalizers"

    /// The normalizer types this implementation reads.
    static let supportedTypes = ["Sequence", "NFC", "NFD", "NFKC", "NFKD", "Lowercase", "Prepend", "Replace",
                                 "Strip", "StripAccents"]

    static func parse(type: String, _ object: JSONObject, path: String) throws -> Normalizer? {
        switch type {
        case "NFC": return .nfc
        case "NFD": return .nfd
        case "NFKC": return .nfkc
        case "NFKD": return .nfkd
        case "Lowercase": return .lowercase
        case "Prepend":
            let text = try JSONReader.string(object["prepend"], path: path, what: "Prepend.prepend")
            return .prepend(Array(text.unicodeScalars))
        case "Replace":
            let pattern = try JSONReader.pattern(object["pattern"], path: path, what: "Replace.pattern")
            let content = try JSONReader.string(object["content"], path: path, what: "Replace.content")
            return .replace(pattern, Array(content.unicodeScalars))
        case "Strip":
            return .strip(left: (object["strip_left"]?.boolValue) ?? true, right: (object["strip_right"]?.boolValue) ?? true)
        case "StripAccents": return .stripAccents
        default: return nil
        }
    }

    /// Normalizes `text`.
    func apply(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        switch self {
        case .sequence(let items):
            var current = text
            for item in items { current = item.apply(current) }
            return current
        case .nfc: return Self.foundation(text) { $0.precomposedStringWithCanonicalMapping }
        case .nfd: return Self.foundation(text) { $0.decomposedStringWithCanonicalMapping }
        case .nfkc: return Self.foundation(text) { $0.precomposedStringWithCompatibilityMapping }
        case .nfkd: return Self.foundation(text) { $0.decomposedStringWithCompatibilityMapping }
        case .lowercase:
            var out: [Unicode.Scalar] = []
            out.reserveCapacity(text.count)
            for scalar in text {
                if scalar.value < 128 {
                    out.append(scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(scalar.value + 32)! : scalar)
                } else {
                    out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                }
            }
            return out
        case .prepend(let prefix):
            return text.isEmpty ? text : prefix + text
        case .replace(let pattern, let content):
            if case .regex(let box) = pattern { return box.replace(in: text, with: content) }
            var out: [Unicode.Scalar] = []
            var last = 0
            for range in pattern.matches(in: text) {
                out.append(contentsOf: text[last..<range.lowerBound])
                out.append(contentsOf: content)
                last = range.upperBound
            }
            out.append(contentsOf: text[last...])
            return out
        case .strip(let left, let right):
            var lower = 0
            var upper = text.count
            if left { while lower < upper && UnicodeClasses.isWhitespace(text[lower]) { lower += 1 } }
            if right { while upper > lower && UnicodeClasses.isWhitespace(text[upper - 1]) { upper -= 1 } }
            return Array(text[lower..<upper])
        case .stripAccents:
            return text.filter { $0.properties.generalCategory != .nonspacingMark }
        }
    }

    private static func foundation(_ text: [Unicode.Scalar], _ transform: (String) -> String) -> [Unicode.Scalar] {
        // ASCII is invariant under every normalization form.
        if text.allSatisfy({ $0.value < 128 }) { return text }
        return Array(transform(String(scalars: text)).unicodeScalars)
    }
}
