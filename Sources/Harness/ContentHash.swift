import Foundation

/// sha256 helpers for content-addressed identities (task hashes, dataset checks).
public enum ContentHash {
    /// Lowercase hex sha256 of `data`.
    public static func sha256(_ data: Data) -> String {
        var hasher = SHA256Hasher()
        hasher.update(data)
        return hasher.finalizeHex()
    }

    /// Lowercase hex sha256 of the UTF-8 bytes of `text`.
    public static func sha256(_ text: String) -> String {
        sha256(Data(text.utf8))
    }

    /// Lowercase hex sha256 of the file at `url`, streamed in 4 MiB blocks.
    /// - Throws: `CocoaError(.fileReadNoSuchFile)` when the file cannot be opened, or a read error.
    public static func sha256(fileAt url: URL) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: url.path])
        }
        defer { try? handle.close() }
        var hasher = SHA256Hasher()
        while let block = try handle.read(upToCount: 4 << 20), !block.isEmpty {
            hasher.update(block)
        }
        return hasher.finalizeHex()
    }
}
