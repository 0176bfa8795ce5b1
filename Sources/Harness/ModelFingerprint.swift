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
        for url in urls { try hash(url, into: &hasher) }
        let hex = hasher.finalizeHex()
        return ModelFingerprint(sha256: hex, files: urls.map(\.lastPathComponent))
    }

    /// One file into `hasher`: its base name, its length and its bytes, streamed in 4 MiB blocks.
    private static func hash(_ url: URL, into hasher: inout SHA256Hasher) throws {
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

    /// A PEFT adapter directory's fingerprint: `adapter_config.json` in a canonical form (keys sorted,
    /// `target_modules` sorted, and without `base_model_name_or_path`, which is where the base lay on
    /// the machine that trained it), then `adapter_model.safetensors`. The same adapter trained in two
    /// checkouts, or written by PEFT with its module set in another order, has one fingerprint; the
    /// base model is fingerprinted on its own.
    public static func ofAdapter(in directory: URL) throws -> ModelFingerprint {
        let config = directory.appendingPathComponent("adapter_config.json")
        let weights = directory.appendingPathComponent("adapter_model.safetensors")
        let data = try Data(contentsOf: config)
        guard var object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FileError(path: config.path, problem: "not a JSON object (a PEFT adapter_config.json was expected)")
        }
        object.removeValue(forKey: "base_model_name_or_path")
        if let modules = object["target_modules"] as? [String] { object["target_modules"] = modules.sorted() }
        let canonical = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        var hasher = SHA256Hasher()
        hasher.update(Data("adapter_config.json\u{0}canonical\u{0}\(canonical.count)\u{0}".utf8))
        hasher.update(canonical)
        try hash(weights, into: &hasher)
        return ModelFingerprint(sha256: hasher.finalizeHex(), files: ["adapter_config.json", "adapter_model.safetensors"])
    }

    /// A base model with an adapter merged into it: the two fingerprints hashed together.
    public func merging(adapter: ModelFingerprint) -> ModelFingerprint {
        var hasher = SHA256Hasher()
        hasher.update(Data("\(sha256)\u{0}\(adapter.sha256)".utf8))
        return ModelFingerprint(sha256: hasher.finalizeHex(), files: files + adapter.files)
    }

    /// The first 12 hex digits, for display.
    public var short: String { String(sha256.prefix(12)) }
    public var description: String { "sha256:\(short)" }
}
