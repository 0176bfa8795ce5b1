import Foundation

/// Identifies a model by the content of its files: sha256 over each weight and tokenizer file's
/// name and bytes, so two checkpoints with one name are still told apart.
public struct ModelFingerprint: Codable, Hashable, Sendable, CustomStringConvertible {
    /// Lowercase hex sha256.
    public var sha256: String
    /// The files it covers, by base name, in hashing order.
    public var files: [String]

    public init(sha256: String, files: [String]) {
        self.sha256 = sha256
        self.files = files
    }

    /// Hashes `urls` (each file's base name, its length and its bytes, streamed in 4 MiB blocks).
    public static func of(files urls: [URL]) throws -> ModelFingerprint {
        var hasher = SHA256Hasher()
        for url in urls {
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? -1
            hasher.update(Data("\(url.lastPathComponent)\u{0}\(size)\u{0}".utf8))
            guard let handle = FileHandle(forReadingAtPath: url.path) else {
                throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: url.path])
            }
            defer { try? handle.close() }
            while let block = try handle.read(upToCount: 4 << 20), !block.isEmpty {
                hasher.update(block)
            }
        }
        let hex = hasher.finalizeHex()
        return ModelFingerprint(sha256: hex, files: urls.map(\.lastPathComponent))
    }

    /// The first 12 hex digits, for display.
    public var short: String { String(sha256.prefix(12)) }
    public var description: String { "sha256:\(short)" }
}
