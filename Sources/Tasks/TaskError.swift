import Foundation
import Harness

/// A position in a file: `path:line:column` (line and column count from 1; either may be unknown).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The file's path as the user gave it (task files) or as resolved under the data root (data files).
    public var path: String
    public var line: Int?
    public var column: Int?

    public init(path: String, line: Int? = nil, column: Int? = nil) {
        self.path = path
        self.line = line
        self.column = column
    }

    public var description: String {
        var text = path
        if let line { text += ":\(line)" }
        if line != nil, let column { text += ":\(column)" }
        return text
    }
}

/// Everything that can go wrong reading a task file, its data or its templates. Every message is
/// one line and starts with the file (and line and column where known) it is about.
public enum TaskError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The task file is not valid YAML (position from the YAML parser).
    case malformedYAML(SourceLocation, problem: String)
    /// A key the schema does not know, with near matches.
    case unknownKey(SourceLocation, key: String, section: String, suggestions: [String])
    /// A required key is absent from a section.
    case missingKey(SourceLocation, key: String, section: String)
    /// A value of the wrong type or out of range.
    case invalidValue(SourceLocation, message: String)
    /// Two task files declare the same name.
    case duplicateTask(name: String, first: SourceLocation, second: SourceLocation)
    /// The dataset file is not under the data root.
    case dataFileMissing(path: String, url: String?, task: SourceLocation)
    /// The dataset file's sha256 differs from the one the task records.
    case checksumMismatch(path: String, expected: String, actual: String, url: String?, task: SourceLocation)
    /// A dataset file's content is malformed (JSONL line that is not JSON, bad CSV row…).
    case invalidData(SourceLocation, message: String)
    /// A template names a field the record lacks.
    case missingField(task: SourceLocation, field: String, record: SourceLocation, suggestions: [String])
    /// A template could not be applied to a record (wrong type, separator absent, gold out of range…).
    case templateFailed(task: SourceLocation, record: SourceLocation, message: String)
    /// A file or directory could not be read.
    case unreadable(path: String, reason: String)

    public var description: String {
        let text: String
        switch self {
        case let .malformedYAML(location, problem):
            text = "\(location): malformed YAML: \(problem)"
        case let .unknownKey(location, key, section, suggestions):
            text = "\(location): unknown key '\(key)' in \(section)\(Self.hint(suggestions))"
        case let .missingKey(location, key, section):
            text = "\(location): missing required key '\(key)' in \(section)"
        case let .invalidValue(location, message), let .invalidData(location, message):
            text = "\(location): \(message)"
        case let .duplicateTask(name, first, second):
            text = "\(second): task '\(name)' is already defined at \(first)"
        case let .dataFileMissing(path, url, task):
            text = "\(path): data file not found (needed by \(task))"
                + (url.map { "; download it from \($0)" } ?? "")
                + "; set --data-dir or FORGETBENCH_DATA to the folder that holds it"
        case let .checksumMismatch(path, expected, actual, url, task):
            text = "\(path): sha256 is \(actual) but \(task) expects \(expected)"
                + (url.map { "; fetch the original from \($0)" } ?? "")
        case let .missingField(task, field, record, suggestions):
            text = "\(task): template field '\(field)' is missing from the record at \(record)\(Self.hint(suggestions))"
        case let .templateFailed(task, record, message):
            text = "\(task): \(message) (record at \(record))"
        case let .unreadable(path, reason):
            text = "\(path): cannot read: \(reason)"
        }
        return Self.oneLine(text)
    }

    static func hint(_ suggestions: [String]) -> String {
        suggestions.isEmpty ? "" : " (did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?)"
    }

    /// Folds line breaks so that a message stays on one line.
    static func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "\r", with: " ")
    }
}
