import Foundation
import Harness

/// Where dataset paths in task files are resolved.
///
/// Order: the `--data-dir` value; else the environment variable `FORGETBENCH_DATA`; else
/// `../shared/data` relative to the current directory when that folder exists (the layout of a
/// development checkout); else `~/.cache/forgetbench/data`.
public enum DataRoot {
    /// The environment variable that names the data root.
    public static let environmentVariable = "FORGETBENCH_DATA"

    /// Resolves the data root from the process's environment and current directory.
    /// - Parameter explicit: a `--data-dir` value (relative paths are taken from the current directory; `~` expands).
    public static func resolve(explicit: String?) -> URL {
        resolve(explicit: explicit, environment: ProcessInfo.processInfo.environment,
                currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true),
                home: FileManager.default.homeDirectoryForCurrentUser)
    }

    /// Resolves the data root from the given environment, current directory and home directory.
    public static func resolve(explicit: String?, environment: [String: String], currentDirectory: URL, home: URL) -> URL {
        func url(_ path: String) -> URL {
            if path == "~" { return home.standardized }
            if path.hasPrefix("~/") { return home.appendingPathComponent(String(path.dropFirst(2))).standardized }
            if path.hasPrefix("/") { return URL(fileURLWithPath: path, isDirectory: true).standardized }
            return currentDirectory.appendingPathComponent(path, isDirectory: true).standardized
        }
        if let explicit, !explicit.isEmpty { return url(explicit) }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty { return url(fromEnvironment) }
        let shared = currentDirectory.appendingPathComponent("../shared/data", isDirectory: true).standardized
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: shared.path, isDirectory: &isDirectory), isDirectory.boolValue { return shared }
        return home.appendingPathComponent(".cache/forgetbench/data", isDirectory: true).standardized
    }
}
