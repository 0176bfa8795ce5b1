import Foundation

/// Writes files atomically (a temporary file beside the target, renamed into place), so a reader
/// never sees a half-written dataset, manifest or cache.
enum AtomicWrite {
    static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue,
              FileManager.default.isWritableFile(atPath: dir.path) else {
            throw MaskingError.file(path: url.path, problem: "cannot write here (directory \(dir.path) is missing or not writable)")
        }
        do { try data.write(to: url, options: .atomic) } catch {
            throw MaskingError.file(path: url.path, problem: "cannot write: \(error.localizedDescription)")
        }
    }
}
