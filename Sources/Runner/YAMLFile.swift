import Foundation
import Yams

/// A YAML file of Runner's (an experiment spec, a gates file) read into its root node.
enum YAMLFile {
    /// The root node of the YAML file at `path`, and the file's bytes; `kind` names the file in
    /// messages ("experiment spec").
    /// - Throws: ``RunnerError/invalid(_:)`` when the file cannot be read, is not UTF-8, is empty,
    ///   or is not YAML (Yams' message on one line, with its line and column).
    static func read(path: String, kind: String) throws -> (root: Node, data: Data) {
        guard let data = FileManager.default.contents(atPath: path) else { throw RunnerError.invalid("\(path): cannot read the \(kind)") }
        guard let text = String(data: data, encoding: .utf8) else { throw RunnerError.invalid("\(path): not UTF-8 text") }
        do {
            guard let node = try Yams.compose(yaml: text) else { throw RunnerError.invalid("\(path): the \(kind) is empty") }
            return (node, data)
        } catch let error as YamlError {
            throw RunnerError.invalid("\(path): malformed YAML: \(String(describing: error).replacingOccurrences(of: "\n", with: " "))")
        }
    }
}
