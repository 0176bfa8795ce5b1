import Foundation
import Harness

/// Whether a task's data can be used.
public enum DataStatus: Hashable, Sendable, CustomStringConvertible {
    /// The file is there and matches its sha256.
    case present
    /// The file is absent; `url` is where the task says to fetch it.
    case missing(path: String, url: String?)
    /// The file is there but differs from the task's sha256.
    case checksumMismatch(path: String)
    /// The task generates its items.
    case generated
    /// The data is there but cannot be read or rendered (the message says why).
    case invalid(String)

    public var description: String {
        switch self {
        case .present: return "present"
        case .missing: return "missing"
        case .checksumMismatch: return "sha256 mismatch"
        case .generated: return "generated"
        case .invalid: return "invalid"
        }
    }

    public var isUsable: Bool {
        switch self {
        case .present, .generated: return true
        default: return false
        }
    }
}

/// One row of `forgetbench tasks list`.
public struct TaskListing: Hashable, Sendable {
    public var name: String
    public var version: String
    public var outputType: OutputType
    /// nil when the data is not usable.
    public var itemCount: Int?
    public var data: DataStatus
    /// The task file's path, or "compiled-in".
    public var source: String
}

/// The tasks ForgetBench knows: YAML files under the repository's `tasks/` folder and any folder
/// the user names, then the compiled-in tasks. Provides listing and `show` text for the CLI.
public struct TaskCatalog: Sendable {
    public var yaml: YAMLTaskProvider
    public var compiled: CompiledTaskProvider

    public init(yaml: YAMLTaskProvider, compiled: CompiledTaskProvider = .standard) {
        self.yaml = yaml
        self.compiled = compiled
    }

    /// The registry: YAML tasks first (so a file can override a compiled task's name), then compiled ones.
    public var registry: TaskRegistry { TaskRegistry(providers: [yaml, compiled]) }

    /// The environment variable naming the repository's task folder.
    public static let tasksEnvironmentVariable = "FORGETBENCH_TASKS"

    /// The standard catalog.
    /// - Parameters:
    ///   - extraDirectories: user folders of `*.yaml` task files (`--tasks-dir`).
    ///   - dataDirectory: `--data-dir`, resolved with `DataRoot.resolve(explicit:)`.
    ///   - repositoryTasksDirectory: the shipped `tasks/` folder; nil uses `defaultRepositoryTasksDirectory()`
    ///     (and no folder at all if that finds none).
    public static func standard(extraDirectories: [URL] = [], dataDirectory: String? = nil, repositoryTasksDirectory: URL? = nil) -> TaskCatalog {
        var directories: [URL] = []
        if let repository = repositoryTasksDirectory ?? defaultRepositoryTasksDirectory() { directories.append(repository) }
        directories += extraDirectories
        return TaskCatalog(yaml: YAMLTaskProvider(directories: directories, dataRoot: DataRoot.resolve(explicit: dataDirectory)))
    }

    /// `FORGETBENCH_TASKS`; else `./tasks` when it exists; else the `tasks/` folder of the source
    /// checkout this module was built from, when it exists; else nil.
    public static func defaultRepositoryTasksDirectory() -> URL? {
        let fm = FileManager.default
        func isDirectory(_ url: URL) -> Bool {
            var flag: ObjCBool = false
            return fm.fileExists(atPath: url.path, isDirectory: &flag) && flag.boolValue
        }
        if let env = ProcessInfo.processInfo.environment[tasksEnvironmentVariable], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true).standardized
        }
        let local = URL(fileURLWithPath: fm.currentDirectoryPath, isDirectory: true).appendingPathComponent("tasks", isDirectory: true)
        if isDirectory(local) { return local.standardized }
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tasks", isDirectory: true)
        return isDirectory(checkout) ? checkout.standardized : nil
    }

    /// Every task with its type, item count and data status, sorted by name. Data problems are
    /// reported in the row, not thrown; a malformed task file throws.
    public func list() throws -> [TaskListing] {
        var rows: [TaskListing] = []
        var names = Set<String>()
        for spec in try yaml.specs() {
            names.insert(spec.name)
            var row = TaskListing(name: spec.name, version: spec.version, outputType: spec.outputType, itemCount: nil,
                                  data: .present, source: spec.file.path)
            row.data = Self.status(of: spec, dataRoot: yaml.dataRoot, count: &row.itemCount)
            rows.append(row)
        }
        for task in compiled.tasks where !names.contains(task.name) {
            let count = try task.instances(limit: nil, seed: 0).count
            rows.append(TaskListing(name: task.name, version: task.version, outputType: task.outputType, itemCount: count,
                                    data: .generated, source: "compiled-in"))
        }
        return rows.sorted { $0.name < $1.name }
    }

    static func status(of spec: TaskSpec, dataRoot: URL, count: inout Int?) -> DataStatus {
        let result: Result<Int, TaskError> = Result { () throws(TaskError) -> Int in
            try YAMLTask(spec: spec, dataRoot: dataRoot).itemCount()
        }
        switch result {
        case let .success(n):
            count = n
            return .present
        case let .failure(error):
            switch error {
            case let .dataFileMissing(path, url, _): return .missing(path: path, url: url)
            case let .checksumMismatch(path, _, _, _, _): return .checksumMismatch(path: path)
            default: return .invalid(error.description)
            }
        }
    }

    /// `list()` as an aligned text table (NAME, TYPE, ITEMS, DATA), without a final line break.
    public func listText() throws -> String {
        let rows = try list()
        let header = ["NAME", "TYPE", "ITEMS", "DATA"]
        let cells = rows.map { [$0.name, $0.outputType.rawValue, $0.itemCount.map(String.init) ?? "-", $0.data.description] }
        let widths = header.indices.map { c in ([header] + cells).map { $0[c].count }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            row.enumerated().map { $0.offset == row.count - 1 ? $0.element : $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        return ([line(header)] + cells.map(line)).joined(separator: "\n")
    }

    /// `tasks show NAME`: the resolved configuration (JSON, sorted keys), the content hash, the
    /// item count and the first item fully rendered (few-shot examples included, with `seed`);
    /// no final line break.
    /// - Throws: `TaskRegistryError.unknownTask` (with did-you-mean) or the task's `TaskError`.
    public func show(_ name: String, seed: UInt64 = 1234) throws -> String {
        let task = try registry.task(named: name)
        var text = "# task: \(task.name) (version \(task.version))\n"
        if let configured = task as? any ConfiguredTask {
            text += "# source: \(configured.source)\n"
            text += configured.configuration.prettyJSON() + "\n"
        }
        text += "# content hash: \(task.contentHash)\n"
        let items = try task.instances(limit: nil, seed: seed)
        text += "# items: \(items.count)\n"
        guard let first = items.first else { return String(text.dropLast()) }
        text += "# first item (id \(first.id), seed \(seed)); the prompt is between the markers\n"
        text += "----- prompt -----\n\(first.prompt)\n----- end prompt -----\n"
        if task.outputType == .multipleChoice {
            for (i, choice) in first.choices.enumerated() {
                if let contexts = first.choiceContexts { text += "context \(i): \(PromptTemplate.quote(contexts[i]))\n" }
                text += "choice \(i)\(i == first.goldIndex ? " (gold)" : ""): \(PromptTemplate.quote(choice))\n"
            }
        } else {
            text += "target: \(PromptTemplate.quote(first.target))\n"
        }
        return String(text.dropLast())
    }
}
