import Foundation

/// The toy world's small subword vocabulary and its Hugging Face `tokenizer.json`.
///
/// Ids: `<unk>` 0, `<s>` 1 (BOS, added by a `TemplateProcessing` post-processor), `</s>` 2 (EOS),
/// then `\n` 3 and the 95 printable ASCII characters (space … `~`) in code order (99 ids), then the
/// word pieces: every prefix (of two or more characters) of the ``words`` of the answer grammar
/// (``ToyAnswerStyle``) and of a space and a digit, in the order their merges are ranked. The model
/// is a BPE whose merges build each word from its leading space one character at a time (so
/// ` well,` is one token and ` 26` is ` 2`, `6`; other text stays one token per character), and a
/// `Fuse` decoder, which both this package's `HFTokenizer` and the `tokenizers` library load.
public enum ToyVocabulary {
    public static let unknown = "<unk>"
    public static let bos = "<s>"
    public static let eos = "</s>"
    /// The characters after the three special tokens, in id order.
    public static let characters: [Character] = ["\n"] + (32 ... 126).map { Character(Unicode.Scalar(UInt8($0))) }
    /// The whole words of the vocabulary (each with its leading space): the answer grammar's words
    /// (house and annotators' style), and a space before each digit.
    public static var words: [String] {
        var all: [String] = []
        for g in [ToyAnswerStyle.house, ToyAnswerStyle.annotators] {
            all += g.opener.choices
            all += g.subject.choices
            all += g.verb.choices
        }
        for digit in 0 ... 9 { all.append(" " + String(digit)) }
        var seen = Set<String>()
        return all.filter { $0.count > 1 && seen.insert($0).inserted }
    }

    /// The merges, ranked: `(left, right)` makes `left + right`; all merges making two-character
    /// pieces first, then three, and so on (ties in the order of ``words``).
    public static var merges: [(String, String)] {
        var seen = Set<String>()
        var result: [(Int, Int, String, String)] = []
        for (w, word) in words.enumerated() {
            let chars = Array(word)
            for k in 2 ... max(2, chars.count) where k <= chars.count {
                let piece = String(chars[..<k])
                guard seen.insert(piece).inserted else { continue }
                result.append((k, w, String(chars[..<(k - 1)]), String(chars[k - 1])))
            }
        }
        return result.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { ($0.2, $0.3) }
    }

    /// 3 special tokens, 96 characters and the word pieces.
    public static var size: Int { 3 + characters.count + merges.count }
    public static let bosID = 1
    public static let eosID = 2

    /// The `tokenizer.json` bytes (pretty-printed, sorted keys: the same bytes on every run).
    public static func tokenizerJSON() throws -> Data {
        var vocab: [String: Int] = [unknown: 0, bos: 1, eos: 2]
        for (i, c) in characters.enumerated() { vocab[String(c)] = 3 + i }
        let merges = merges
        for (i, m) in merges.enumerated() { vocab[m.0 + m.1] = 3 + characters.count + i }
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
                "vocab": vocab, "merges": merges.map { [$0.0, $0.1] },
            ] as [String: Any],
        ]
        var data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        data.append(0x0A)
        return data
    }
}
