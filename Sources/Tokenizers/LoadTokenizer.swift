import Foundation

/// Loads a tokenizer, choosing the reader by file.
///
/// - `*.json` (a Hugging Face `tokenizer.json`): ``HFTokenizer``.
/// - `*.bin` (llama2.c's `tokenizer.bin`, e.g. `tok512.bin`): ``Llama2cTokenizer``.
/// - A directory: its `tokenizer.json`, else its `tokenizer.bin`.
///
/// - Throws: ``TokenizerError`` naming the path when it does not exist, is of another kind (such as a
///   SentencePiece `tokenizer.model`), or cannot be read.
public func loadTokenizer(at path: String) throws -> any Tokenizer {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw TokenizerError(path: path, problem: "no such file or directory")
    }
    if isDirectory.boolValue {
        let url = URL(fileURLWithPath: path)
        for name in ["tokenizer.json", "tokenizer.bin"] {
            let candidate = url.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: candidate) { return try loadTokenizer(at: candidate) }
        }
        throw TokenizerError(path: path, problem: "directory has no tokenizer.json or tokenizer.bin")
    }
    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
    case "json": return try HFTokenizer(contentsOfFile: path)
    case "bin": return try Llama2cTokenizer(contentsOfFile: path)
    default:
        throw TokenizerError(path: path, problem: "unknown tokenizer file kind (supported: tokenizer.json (Hugging Face BPE), *.bin (llama2.c tokenizer.bin))")
    }
}
