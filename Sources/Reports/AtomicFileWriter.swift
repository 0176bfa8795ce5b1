import Foundation

/// Writes report files so that a reader never sees a half-written file.
///
/// The bytes go to a temporary file in the destination's directory, which is then renamed over the
/// destination (`Data.WritingOptions.atomic`): the destination holds either its old content or the
/// complete new content. Missing parent directories are created.
public enum AtomicFileWriter {
    /// Writes `data` to `url` atomically.
    ///
    /// - Throws: ``ReportsError/writeFailed(path:reason:)`` when the directory cannot be created or the
    ///   file cannot be written or renamed.
    public static func write(_ data: Data, to url: URL) throws {
        do {
            let directory = url.deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw ReportsError.writeFailed(path: url.path, reason: String(describing: error))
        }
    }

    /// Writes `text` as UTF-8 to `url` atomically. Throws as the `Data` variant does.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }
}
