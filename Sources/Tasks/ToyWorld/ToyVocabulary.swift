import Foundation

/// The toy world's character-level vocabulary and its Hugging Face `tokenizer.json`.
///
/// Ids: `<unk>` 0, `<s>` 1 (BOS, added by a `TemplateProcessing` post-processor), `</s>` 2 (EOS),
/// then `\n` 3 and the 95 printable ASCII characters (space … `~`) in code order: 99 ids. The
/// model is a BPE without merges (so every character is one token) and a `Fuse` decoder, which
/// both this package's `HFTokenizer` and the `tokenizers` library load.
public enum ToyVocabulary {
    public static let unknown = "<unk>"
    public static let bos = "<s>"
    public static let eos = "</s>"
    /// The characters after the three special tokens, in id order.
    public static let characters: [Character] = ["\n"] + (32 ... 126).map { Character(Unicode.Scalar(UInt8($0))) }
    /// 3 special tokens + 96 characters.
    public static var size: Int { 3 + characters.count }
    public static let bosID = 1
    public static let eosID = 2

    /// The `tokenizer.json` bytes (pretty-printed, sorted keys: the same bytes on every run).
    public static func tokenizerJSON() throws -> Data {
        var vocab: [String: Int] = [unknown: 0, bos: 1, eos: 2]
        for (i, c) in characters.enumerated() { vocab[String(c)] = 3 + i }
        func added(_ content: String, _ id: Int) -> [String: Any] {
            ["id": id, "content": content, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true]
        }
        let root: [String: Any] = [
            "version": "1.0",
            "truncation": NSNull(), "padding": NSNull(),
            "added_tokens": [added(unknown, 0), added(bos, 1), added(eos, 2)],
            "normalizer": NSNull(), "pre_tokenizer": NSNull(),
            "post_processor": [
                "type": "TemplateProcessing",
                "single": [["SpecialToken": ["id": bos, "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]]],
                "pair": [["SpecialToken": ["id": bos, "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]],
                         ["Sequence": ["id": "B", "type_id": 1]]],
                "special_tokens": [bos: ["id": bos, "ids": [bosID], "tokens": [bos]]],
            ] as [String: Any],
            "decoder": ["type": "Fuse"],
            "model": [
                "type": "BPE", "dropout": NSNull(), "unk_token": unknown, "continuing_subword_prefix": NSNull(),
                "end_of_word_suffix": NSNull(), "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                "vocab": vocab, "merges": [String](),
            ] as [String: Any],
        ]
        var data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        data.append(0x0A)
        return data
    }
}
