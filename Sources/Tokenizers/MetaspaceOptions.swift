import Harness

/// What a `Metaspace` pre-tokenizer and a `Metaspace` decoder both read: the character that stands for
/// a space, and when it is put in front of a piece.
struct MetaspaceOptions: Sendable {
    var replacement: Unicode.Scalar
    var prependScheme: PrependScheme

    /// Reads `replacement` (one character, default `▁`) and `prepend_scheme`, else the older
    /// `add_prefix_space` (default true: `always`; false: `never`); `path` names the file for errors.
    init(_ object: JSONObject, path: String) throws {
        let replacement = (object["replacement"]?.stringValue) ?? "\u{2581}"
        guard replacement.unicodeScalars.count == 1, let scalar = replacement.unicodeScalars.first else {
            throw TokenizerError(path: path, problem: "Metaspace.replacement must be one character")
        }
        self.replacement = scalar
        if let name = object["prepend_scheme"]?.stringValue {
            guard let parsed = PrependScheme(rawValue: name) else {
                throw TokenizerError(path: path, problem: "unknown Metaspace prepend_scheme \"\(name)\"")
            }
            prependScheme = parsed
        } else {
            prependScheme = ((object["add_prefix_space"]?.boolValue) ?? true) ? .always : .never
        }
    }
}
