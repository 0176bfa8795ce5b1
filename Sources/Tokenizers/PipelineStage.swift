import Harness

/// A stage of a `tokenizer.json` pipeline (normalizer, pre-tokenizer, post-processor, decoder), read
/// as the `tokenizers` library reads each: an object `{"type": ...}` whose type `Sequence` chains a
/// list of stages of the same kind. The shared frame (the object, its type, `Sequence`, an
/// unsupported type) is read here; each stage reads its own types in ``parse(type:_:path:)``.
protocol PipelineStage: Sendable {
    /// The stage's key in `tokenizer.json` and its name in errors: `"normalizer"`, `"pre_tokenizer"`, ….
    static var field: String { get }
    /// The key of a `Sequence`'s list: `"normalizers"`, `"pretokenizers"`, ….
    static var sequenceKey: String { get }
    /// The types this implementation reads, for the error on any other.
    static var supportedTypes: [String] { get }
    /// The stages of a `Sequence`, applied in order.
    static func sequence(_ stages: [Self]) -> Self
    /// Reads a stage of `type` (never `Sequence`) from its `object`; nil for a type not supported.
    static func parse(type: String, _ object: JSONObject, path: String) throws -> Self?
}

extension PipelineStage {
    /// Reads a stage object; `path` names the file for errors.
    static func parse(_ json: JSONValue, path: String) throws -> Self {
        let object = try JSONReader.object(json, path: path, what: field)
        let type = try JSONReader.string(object["type"], path: path, what: "\(field) type")
        if type == "Sequence" {
            let items = try JSONReader.array(object[sequenceKey], path: path, what: "Sequence \(sequenceKey)")
            return sequence(try items.map { try parse($0, path: path) })
        }
        guard let stage = try parse(type: type, object, path: path) else {
            throw TokenizerError(path: path, problem: "unsupported \(field) type \"\(type)\" (supported: \(supportedTypes.joined(separator: ", ")))")
        }
        return stage
    }

    /// The stage under its ``field`` of a `tokenizer.json` root; nil when absent or null.
    static func parse(in root: JSONObject, path: String) throws -> Self? {
        guard let value = root[field], value != .null else { return nil }
        return try parse(value, path: path)
    }
}
