/// A text tokenizer: turns text into the integer token ids a model reads, and back.
///
/// Implementations reproduce a reference library exactly: Hugging Face `tokenizers` for
/// `tokenizer.json` files and llama2.c's `run.c` for its `tokenizer.bin` format.
public protocol Tokenizer: Sendable {
    /// Number of ids the tokenizer can produce (the largest id plus one, added tokens included).
    var vocabularySize: Int { get }
    /// The beginning-of-sequence id, if the tokenizer has one.
    var bosTokenID: Int? { get }
    /// Ids that end a generation according to the tokenizer itself (a model's
    /// `generation_config.json` may add more).
    var eosTokenIDs: Set<Int> { get }
    /// Encodes `text`. With `addSpecialTokens`, special tokens are added as the reference does
    /// (for example BOS by a `TemplateProcessing` post-processor, or llama2.c's BOS).
    func encode(_ text: String, addSpecialTokens: Bool) -> [Int]
    /// Decodes `ids` to text by the tokenizer's decoder rules. With `skipSpecialTokens`, special
    /// tokens (BOS, EOS, added special tokens) are left out.
    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String
    /// The vocabulary entry for `id` as stored in the file (not decoded), or nil if out of range.
    func piece(for id: Int) -> String?
    /// The id of a vocabulary entry or added token, or nil.
    func id(for piece: String) -> Int?
}
