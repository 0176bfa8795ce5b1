import Foundation
import Harness

/// Tasks declared in YAML: every `*.yaml` file under the given directories (recursively, in
/// sorted path order). Dataset paths resolve against `dataRoot`.
public struct YAMLTaskProvider: TaskProvider {
    public var directories: [URL]
    public var dataRoot: URL

    public init(directories: [URL], dataRoot: URL) {
        self.directories = directories
        self.dataRoot = dataRoot
    }

    /// Every task file, sorted by path. - Throws: `TaskError.unreadable` for a missing directory.
    public func taskFiles() throws(TaskError) -> [URL] {
        var files: [URL] = []
        for directory in directories {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw .unreadable(path: directory.path, reason: "no such task directory")
            }
            // Enumerate the real folder (the enumerator does not enter a symbolic link), but
            // report paths under the folder as the user named it.
            let root = directory.standardized
            let real = root.resolvingSymlinksInPath()
            guard let enumerator = FileManager.default.enumerator(at: real, includingPropertiesForKeys: nil) else {
                throw .unreadable(path: directory.path, reason: "cannot list the directory")
            }
            var found: [URL] = []
            let realPrefix = real.path.hasSuffix("/") ? real.path : real.path + "/"
            for case let url as URL in enumerator where url.pathExtension == "yaml" {
                let path = url.standardized.path
                if path.hasPrefix(realPrefix) {
                    found.append(root.appendingPathComponent(String(path.dropFirst(realPrefix.count))))
                } else {
                    found.append(url.standardized)
                }
            }
            files += found.sorted { $0.path < $1.path }
        }
        return files
    }

    /// Every task file parsed. - Throws: the first file's `TaskError`, or `.duplicateTask`.
    public func specs() throws(TaskError) -> [TaskSpec] {
        var specs: [TaskSpec] = []
        var seen: [String: TaskSpec] = [:]
        for file in try taskFiles() {
            let spec = try TaskFileParser.parse(fileAt: file)
            if let first = seen[spec.name], first.file != spec.file {
                throw .duplicateTask(name: spec.name, first: first.location("name"), second: spec.location("name"))
            }
            seen[spec.name] = spec
            specs.append(spec)
        }
        return specs
    }

    public func taskNames() throws -> [String] {
        try specs().map(\.name)
    }

    /// The task called `name`: a `TrainableYAMLTask` when its file has a `training:` split.
    public func task(named name: String) throws -> (any EvaluationTask)? {
        guard let task = try yamlTask(named: name) else { return nil }
        return task.spec.training == nil ? task : TrainableYAMLTask(base: task)
    }

    /// The task called `name` (nil when absent). - Throws: `TaskError` for bad files or data.
    public func yamlTask(named name: String) throws(TaskError) -> YAMLTask? {
        guard let spec = try specs().first(where: { $0.name == name }) else { return nil }
        return try YAMLTask(spec: spec, dataRoot: dataRoot)
    }
}
