import Foundation
import Harness

/// The base model's token scores for one training file, saved so that several regimes reuse one
/// scoring pass.
///
/// File format (JSON, written atomically): `{"format_version": 1, "model_sha256", "data_sha256",
/// "chat_format", "max_seq_len", "input_ids": [[...]], "logprobs": [[...]]}` with one entry per
/// example; `logprobs[e][i]` is log p(token i+1 | tokens 0...i). The file name is
/// `forgetbench-scores-<key>.json`, `key` the first 16 hex digits of
/// sha256("<model sha256>|<data sha256>|<chat format>|<max seq len>"); it lives in `--cache-dir`
/// (default: the output's directory). A cache whose fields or token ids differ from the current
/// tokenization is ignored and rewritten.
public struct ScoreCache: Codable, Sendable, Equatable {
    /// Cache layout version (1).
    public var formatVersion = 1
    /// sha256 of the scoring model's fingerprint.
    public var modelSHA256: String
    /// sha256 of the training file's bytes.
    public var dataSHA256: String
    /// The resolved chat format.
    public var chatFormat: String
    /// The maximum sequence length the examples were cut to.
    public var maxSeqLen: Int
    /// Every example's token ids (checked against the current tokenization before reuse).
    public var inputIDs: [[Int]]
    /// Every example's teacher-forced log-probs (one fewer than its tokens).
    public var logProbs: [[Double]]

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", modelSHA256 = "model_sha256", dataSHA256 = "data_sha256"
        case chatFormat = "chat_format", maxSeqLen = "max_seq_len", inputIDs = "input_ids", logProbs = "logprobs"
    }

    public init(modelSHA256: String, dataSHA256: String, chatFormat: String, maxSeqLen: Int, inputIDs: [[Int]], logProbs: [[Double]]) {
        self.modelSHA256 = modelSHA256
        self.dataSHA256 = dataSHA256
        self.chatFormat = chatFormat
        self.maxSeqLen = maxSeqLen
        self.inputIDs = inputIDs
        self.logProbs = logProbs
    }

    /// The cache file name for these key fields.
    public static func fileName(modelSHA256: String, dataSHA256: String, chatFormat: String, maxSeqLen: Int) -> String {
        let key = ContentHash.sha256("\(modelSHA256)|\(dataSHA256)|\(chatFormat)|\(maxSeqLen)")
        return "forgetbench-scores-\(key.prefix(16)).json"
    }

    /// Reads a cache file; nil when it is absent or unreadable (a bad cache is recomputed, not an error).
    public static func load(from url: URL) -> ScoreCache? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return try? JSONDecoder().decode(ScoreCache.self, from: data)
    }

    /// Writes the cache atomically.
    public func save(to url: URL) throws {
        try AtomicFile.write(try JSONEncoder().encode(self), to: url)
    }
}
