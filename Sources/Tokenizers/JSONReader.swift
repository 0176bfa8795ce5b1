import Foundation
import Harness

/// Typed access to ``JSONValue`` trees with errors that name the file and the field.
enum JSONReader {
    /// Parses a JSON file whose top level must be an object.
    static func parse(_ data: Data, path: String) throws -> JSONObject {
        guard let object = try JSONValue.parse(data, path: path).objectValue else {
            throw TokenizerError(path: path, problem: "expected a JSON object at the top level")
        }
        return object
    }

    static func object(_ value: JSONValue?, path: String, what: String) throws -> JSONObject {
        try required(value?.objectValue, "an object", path: path, what: what)
    }

    static func array(_ value: JSONValue?, path: String, what: String) throws -> [JSONValue] {
        try required(value?.arrayValue, "an array", path: path, what: what)
    }

    static func string(_ value: JSONValue?, path: String, what: String) throws -> String {
        try required(value?.stringValue, "a string", path: path, what: what)
    }

    private static func required<T>(_ value: T?, _ kind: String, path: String, what: String) throws -> T {
        guard let value else { throw TokenizerError(path: path, problem: "expected \(kind) for \(what)") }
        return value
    }

    /// An integer, or a number with no fraction (`3.0`) as `serde_json` accepts for an id.
    static func int(_ value: JSONValue?, path: String, what: String) throws -> Int {
        if let int = value?.intValue { return int }
        if let double = value?.doubleValue, double.rounded() == double, abs(double) < 1e15 { return Int(double) }
        throw TokenizerError(path: path, problem: "expected an integer for \(what)")
    }

    /// Reads a `{"String": ...}` or `{"Regex": ...}` pattern.
    static func pattern(_ value: JSONValue?, path: String, what: String) throws -> SplitPattern {
        let object = try self.object(value, path: path, what: what)
        if let literal = object["String"]?.stringValue {
            return .literal(Array(literal.unicodeScalars))
        }
        if let regex = object["Regex"]?.stringValue {
            do {
                return try SplitPattern.fromRegex(regex)
            } catch {
                throw TokenizerError(path: path, problem: "\(what): regex \(regex) is not supported (\(error))")
            }
        }
        throw TokenizerError(path: path, problem: "expected {\"String\": ...} or {\"Regex\": ...} for \(what)")
    }
}
