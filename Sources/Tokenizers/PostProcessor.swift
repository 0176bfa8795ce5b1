import Harness

/// A `tokenizer.json` post-processor: adds special tokens around an encoded sequence when the caller
/// asks for special tokens. Only single sequences are supported (no pairs).
enum PostProcessor: PipelineStage {
    /// A template part: literal special-token ids, or the sequence itself.
    enum Part: Sendable {
        case special([Int])
        case sequence
    }

    case template([Part])
    /// `ByteLevel` only trims offsets; ids are unchanged.
    case byteLevel
    /// `RobertaProcessing` / `BertProcessing`: `cls` sequence `sep`.
    case wrap(cls: Int, sep: Int)
    case sequence([PostProcessor])

    static let field = "post_processor"
    static let sequenceKey = "processors"
    static let supportedTypes = ["TemplateProcessing", "ByteLevel", "RobertaProcessing", "BertProcessing", "Sequence"]

    static func parse(type: String, _ object: JSONObject, path: String) throws -> PostProcessor? {
        switch type {
        case "TemplateProcessing":
            let specials = (object["special_tokens"]?.objectValue) ?? JSONObject()
            let single = try JSONReader.array(object["single"], path: path, what: "TemplateProcessing.single")
            var parts: [Part] = []
            for item in single {
                let entry = try JSONReader.object(item, path: path, what: "TemplateProcessing.single item")
                if let special = entry["SpecialToken"]?.objectValue {
                    let name = try JSONReader.string(special["id"], path: path, what: "SpecialToken.id")
                    let spec = try JSONReader.object(specials[name], path: path, what: "TemplateProcessing.special_tokens[\(name)]")
                    let ids = try JSONReader.array(spec["ids"], path: path, what: "special_tokens[\(name)].ids")
                    parts.append(.special(try ids.map { try JSONReader.int($0, path: path, what: "special token id") }))
                } else if entry["Sequence"] != nil {
                    parts.append(.sequence)
                } else {
                    throw TokenizerError(path: path, problem: "TemplateProcessing.single item is neither SpecialToken nor Sequence")
                }
            }
            return .template(parts)
        case "ByteLevel": return .byteLevel
        case "RobertaProcessing", "BertProcessing":
            func idOf(_ key: String) throws -> Int {
                let pair = try JSONReader.array(object[key], path: path, what: "\(type).\(key)")
                guard pair.count == 2 else { throw TokenizerError(path: path, problem: "\(type).\(key) must be [token, id]") }
                return try JSONReader.int(pair[1], path: path, what: "\(type).\(key) id")
            }
            return .wrap(cls: try idOf("cls"), sep: try idOf("sep"))
        default: return nil
        }
    }

    /// Adds the special tokens to `ids`.
    func apply(_ ids: [Int]) -> [Int] {
        switch self {
        case .template(let parts):
            var out: [Int] = []
            for part in parts {
                switch part {
                case .special(let special): out.append(contentsOf: special)
                case .sequence: out.append(contentsOf: ids)
                }
            }
            return out
        case .byteLevel: return ids
        case .wrap(let cls, let sep): return [cls] + ids + [sep]
        case .sequence(let items):
            var current = ids
            for item in items { current = item.apply(current) }
            return current
        }
    }

    /// The ids a template puts before the sequence (its BOS, if any).
    var leadingSpecialIDs: [Int] {
        switch self {
        case .template(let parts):
            if case .special(let ids)? = parts.first { return ids }
            return []
        case .wrap(let cls, _): return [cls]
        case .byteLevel: return []
        case .sequence(let items): return items.flatMap(\.leadingSpecialIDs)
        }
    }
}
