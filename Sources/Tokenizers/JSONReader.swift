import Foundation

/// Typed access to ``JSONParser`` values with errors that name the file and the field.
enum JSONReader {
    static func parse(_ data: Data, path: String) throws -> JSONObject {
        let value: Any
        do {
            value = try JSONParser.parse(data)
        } catch {
            throw TokenizerError(path: path, problem: "not valid JSON (\(error))")
        }
        guard let object = value as? JSONObject else {
            throw TokenizerError(path: path, problem: "expected a JSON object at the top level")
        }
        return object
    }

    static func object(_ value: Any?, path: String, what: String) throws -> JSONObject {
        guard let object = value as? JSONObject else {
            throw TokenizerError(path: path, problem: "expected an object for \(what)")
        }
        return object
    }

    static func array(_ value: Any?, path: String, what: String) throws -> [Any] {
        guard let array = value as? [Any] else {
            throw TokenizerError(path: path, problem: "expected an array for \(what)")
        }
        return array
    }

    static func string(_ value: Any?, path: String, what: String) throws -> String {
        guard let string = value as? String else {
            throw TokenizerError(path: path, problem: "expected a string for \(what)")
        }
        return string
    }

    static func int(_ value: Any?, path: String, what: String) throws -> Int {
        if let int = value as? Int { return int }
        if let double = value as? Double, double.rounded() == double, abs(double) < 1e15 { return Int(double) }
        throw TokenizerError(path: path, problem: "expected an integer for \(what)")
    }

    /// Reads a `{"String": ...}` or `{"Regex": ...}` pattern.
    static func pattern(_ value: Any?, path: String, what: String) throws -> SplitPattern {
        let object = try self.object(value, path: path, what: what)
        if let literal = object["String"] as? String {
            return .literal(Array(literal.unicodeScalars))
        }
        if let regex = object["Regex"] as? String {
            do {
                return try SplitPattern.fromRegex(regex)
            } catch {
                throw TokenizerError(path: path, problem: "\(what): regex \(regex) is not supported (\(error))")
            }
        }
        throw TokenizerError(path: path, problem: "expected {\"String\": ...} or {\"Regex\": ...} for \(what)")
    }
}
