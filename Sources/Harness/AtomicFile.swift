import Foundation

/// Writes files atomically: the bytes go to a temporary file beside the target, which is then
/// renamed into place, so a reader sees either the old file or the whole new one, never half.
public enum AtomicFile {
    /// A file that could not be written (``FileError``); the description is one line naming it.
    public typealias WriteError = FileError

    /// Writes `data` to `url`. The directory must exist and be writable.
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue,
              FileManager.default.isWritableFile(atPath: directory.path) else {
            throw WriteError(path: url.path, problem: "cannot write here (directory \(directory.path) is missing or not writable)")
        }
        do { try data.write(to: url, options: .atomic) } catch {
            throw WriteError(path: url.path, problem: "cannot write (\(error.localizedDescription))")
        }
    }
}
