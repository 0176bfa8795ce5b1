import Foundation

/// A problem with masking input, options or files. The description is one line: the file (and
/// line, when there is one), then what was expected.
public enum MaskingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A line of a JSON Lines file is not what was expected (`line` is 1-based; 0: the whole file).
    case badLine(path: String, line: Int, problem: String)
    /// A `--regime` value that does not parse.
    case badRegime(String)
    /// An option value out of range (TAU <= 1, a fraction outside 0...1, a bad max length).
    case badOption(String)
    /// A masked dataset was made with another base model than the one it is used with.
    case fingerprintMismatch(dataset: String, expected: String, found: String)
    /// A masked dataset was tokenized with another tokenizer or chat template than the trainer's.
    case tokenizationMismatch(dataset: String, what: String, expected: String, found: String)
    /// A file could not be read or written.
    case file(path: String, problem: String)
    /// `dpf` / `stm+dpf` without reference scores, or reference scores of other token sequences.
    case badReference(String)

    public var description: String {
        switch self {
        case let .badLine(path, line, problem):
            return line > 0 ? "\(path):\(line): \(problem)" : "\(path): \(problem)"
        case let .badRegime(value):
            return "unknown regime '\(value)'; valid forms: \(MaskingRegime.validForms)"
        case let .badOption(problem):
            return problem
        case let .fingerprintMismatch(dataset, expected, found):
            return "\(dataset): the masked dataset was scored with base model sha256:\(expected.prefix(12)), not this model (sha256:\(found.prefix(12))); re-run forgetbench mask with this model"
        case let .tokenizationMismatch(dataset, what, expected, found):
            return "\(dataset): the masked dataset was tokenized with \(what) sha256:\(expected.prefix(12)), not this model's (\(found == "none" ? "none" : "sha256:" + found.prefix(12))); re-run forgetbench mask with this model"
        case let .file(path, problem):
            return "\(path): \(problem)"
        case let .badReference(problem):
            return problem
        }
    }
}
