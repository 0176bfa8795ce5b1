import Foundation

/// Reads a JSON Lines file, reporting problems as `FILE:LINE: what was expected`.
enum JSONLines {
    struct LineError: Error, CustomStringConvertible {
        var path: String
        var line: Int
        var problem: String
        /// `FILE:LINE: problem`, or `FILE: problem` when the problem is not on one line (`line` 0).
        var description: String { line > 0 ? "\(path):\(line): \(problem)" : "\(path): \(problem)" }
    }

    /// Every non-blank line of `path` as a JSON object, with its 1-based line number.
    static func readObjects(path: String) throws -> [(line: Int, object: [String: Any])] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LineError(path: path, line: 0, problem: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw LineError(path: path, line: 0, problem: "not UTF-8 text")
        }
        var out: [(Int, [String: Any])] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let value: Any
            do { value = try JSONSerialization.jsonObject(with: Data(trimmed.utf8), options: [.fragmentsAllowed]) } catch {
                throw LineError(path: path, line: i + 1, problem: "not valid JSON (expected one JSON object per line)")
            }
            guard let object = value as? [String: Any] else {
                throw LineError(path: path, line: i + 1, problem: "expected a JSON object, found \(type(of: value))")
            }
            out.append((i + 1, object))
        }
        return out
    }
}
