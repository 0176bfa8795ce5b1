/// Where tasks come from: every provider (YAML directories, compiled-in generators) lists its tasks
/// by name; the registry resolves names to tasks.
public protocol TaskProvider: Sendable {
    /// Names of the tasks this provider offers.
    func taskNames() throws -> [String]
    /// The task called `name`, or nil if this provider does not have it.
    func task(named name: String) throws -> (any EvaluationTask)?
}

/// The registry of every known task, searched in provider order (the first provider to offer a
/// name wins).
public struct TaskRegistry: Sendable {
    public var providers: [any TaskProvider]

    public init(providers: [any TaskProvider]) {
        self.providers = providers
    }

    /// All task names, sorted, without duplicates.
    public func names() throws -> [String] {
        Array(Set(try providers.flatMap { try $0.taskNames() })).sorted()
    }

    /// Resolves `name`; throws `TaskRegistryError.unknownTask` with near matches when absent.
    public func task(named name: String) throws -> any EvaluationTask {
        for provider in providers {
            if let task = try provider.task(named: name) { return task }
        }
        let known = try names()
        throw TaskRegistryError.unknownTask(name, suggestions: Suggestions.closest(to: name, in: known))
    }
}

/// A task name the registry does not know.
public enum TaskRegistryError: Error, CustomStringConvertible, Sendable {
    case unknownTask(String, suggestions: [String])
    public var description: String {
        switch self {
        case let .unknownTask(name, suggestions):
            let hint = suggestions.isEmpty ? "" : " (did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?)"
            return "unknown task '\(name)'\(hint); 'forgetbench tasks list' shows the known tasks"
        }
    }
}

/// "Did you mean" suggestions by edit distance.
public enum Suggestions {
    /// Up to `limit` candidates within a third of the word's length in edits, closest first.
    public static func closest(to word: String, in candidates: [String], limit: Int = 2) -> [String] {
        let threshold = max(2, word.count / 3)
        let lowered = word.lowercased()
        var scored: [(name: String, distance: Int)] = []
        for candidate in candidates {
            let d = distance(lowered, candidate.lowercased())
            if d <= threshold { scored.append((candidate, d)) }
        }
        scored.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.name < $1.name }
        return scored.prefix(limit).map { $0.name }
    }

    /// Levenshtein distance.
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0 ... y.count)
        var current = previous
        for i in 1 ... x.count {
            current[0] = i
            for j in 1 ... y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
