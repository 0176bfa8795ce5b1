import Foundation
import Harness

/// A Hugging Face `tokenizer.json` tokenizer with a BPE model, reproducing the `tokenizers` library.
///
/// Both BPE families in use are covered:
/// - byte-level BPE (GPT-2, Llama 3, Qwen2): `ByteLevel` and `Split` pre-tokenizers (the GPT-2,
///   Llama 3 and Qwen2 regexes run by exact hand-written scanners, other regexes by
///   `NSRegularExpression`), the `ByteLevel` decoder, `ignore_merges`, NFC normalization;
/// - SentencePiece-style BPE (Llama 2, TinyLlama, Mistral): `Prepend`/`Replace` normalizers or a
///   `Metaspace` pre-tokenizer, `byte_fallback` to `<0xXX>` pieces, `unk_token` with `fuse_unk`, and the
///   `Replace`/`ByteFallback`/`Fuse`/`Strip`/`Metaspace` decoders.
///
/// Added tokens (special or not, with their `lstrip`, `rstrip`, `single_word` and `normalized`
/// flags) are split out of the text before the model runs; `TemplateProcessing`, `ByteLevel`,
/// `RobertaProcessing` and `BertProcessing` post-processors add special tokens when asked.
///
/// Not supported (loading throws ``TokenizerError``): WordPiece, Unigram and WordLevel models, BPE
/// dropout, `Precompiled`/`BertNormalizer` normalizers and the pre-tokenizers and decoders not
/// listed above. Truncation and padding settings in the file are ignored.
///
/// The value is immutable and safe to share between threads; an internal word cache is locked.
public struct HFTokenizer: Tokenizer {
    /// Model types this implementation reads.
    public static let supportedModelTypes = ["BPE"]

    let model: BPEModel
    let addedVocabulary: AddedVocabulary
    let normalizer: Normalizer?
    let preTokenizer: PreTokenizer?
    let postProcessor: PostProcessor?
    let decoder: TokenDecoder?

    /// The file the tokenizer was read from (or the name given to ``init(data:path:)``).
    public let path: String
    public let vocabularySize: Int
    public let bosTokenID: Int?
    public let eosTokenIDs: Set<Int>
    /// The added tokens, in file order.
    public var addedTokens: [AddedToken] { addedVocabulary.tokens }
    /// Ids of the added tokens marked special.
    public let specialTokenIDs: Set<Int>

    /// Loads `tokenizer.json` at `path`. When a `tokenizer_config.json` sits beside it, its
    /// `bos_token` and `eos_token` name ``bosTokenID`` and ``eosTokenIDs``.
    /// - Throws: ``TokenizerError`` naming the file when it cannot be read, is not valid JSON, or
    ///   uses a model, normalizer, pre-tokenizer, post-processor or decoder this type does not support.
    public init(contentsOfFile path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TokenizerError(path: path, problem: "cannot read the file (\(error.localizedDescription))")
        }
        let configPath = URL(fileURLWithPath: path).deletingLastPathComponent()
            .appendingPathComponent("tokenizer_config.json").path
        var config: JSONObject? = nil
        if FileManager.default.fileExists(atPath: configPath),
           let configData = try? Data(contentsOf: URL(fileURLWithPath: configPath)) {
            config = try JSONReader.parse(configData, path: configPath)
        }
        try self.init(data: data, path: path, config: config)
    }

    /// Reads a `tokenizer.json` held in memory. `path` names it in errors.
    ///
    /// Without a `tokenizer_config.json`, ``bosTokenID`` is the special token a
    /// `TemplateProcessing` post-processor puts first, and ``eosTokenIDs`` are the special added
    /// tokens among `</s>`, `<|end_of_text|>`, `<|endoftext|>`, `<|eot_id|>`, `<|im_end|>`, `<eos>`,
    /// `<|end|>`, `<end_of_turn>`.
    /// - Throws: ``TokenizerError`` as ``init(contentsOfFile:)``.
    public init(data: Data, path: String = "tokenizer.json") throws {
        try self.init(data: data, path: path, config: nil)
    }

    init(data: Data, path: String, config: JSONObject?) throws {
        let root = try JSONReader.parse(data, path: path)
        self.path = path
        let modelObject = try JSONReader.object(root["model"], path: path, what: "model")
        let type = (modelObject["type"]?.stringValue) ?? (modelObject["merges"] != nil ? "BPE" : "unknown")
        guard type == "BPE" else {
            throw TokenizerError(path: path, problem: "unsupported model type \"\(type)\" (supported: \(Self.supportedModelTypes.joined(separator: ", ")))")
        }
        if let dropout = modelObject["dropout"]?.doubleValue, dropout > 0 {
            throw TokenizerError(path: path, problem: "BPE dropout \(dropout) is not supported (supported: no dropout)")
        }
        model = try BPEModel.parse(modelObject, path: path)
        normalizer = try Normalizer.parse(in: root, path: path)
        preTokenizer = try PreTokenizer.parse(in: root, path: path)
        postProcessor = try PostProcessor.parse(in: root, path: path)
        decoder = try TokenDecoder.parse(in: root, path: path)

        var added: [AddedToken] = []
        for (index, item) in (try JSONReader.array(root["added_tokens"] ?? .array([]), path: path, what: "added_tokens")).enumerated() {
            let entry = try JSONReader.object(item, path: path, what: "added_tokens[\(index)]")
            let special = (entry["special"]?.boolValue) ?? false
            added.append(AddedToken(
                content: try JSONReader.string(entry["content"], path: path, what: "added_tokens[\(index)].content"),
                id: try JSONReader.int(entry["id"], path: path, what: "added_tokens[\(index)].id"),
                special: special,
                lstrip: (entry["lstrip"]?.boolValue) ?? false,
                rstrip: (entry["rstrip"]?.boolValue) ?? false,
                singleWord: (entry["single_word"]?.boolValue) ?? false,
                normalized: (entry["normalized"]?.boolValue) ?? !special))
        }
        addedVocabulary = AddedVocabulary(tokens: added, normalizer: normalizer)
        specialTokenIDs = Set(added.filter(\.special).map(\.id))
        vocabularySize = max(model.pieces.count, (added.map(\.id).max() ?? -1) + 1)

        let lookup: (String) -> Int? = { [model, addedVocabulary] piece in
            addedVocabulary.idByContent[ExactString(piece)] ?? model.vocab[ExactString(piece)]
        }
        if let config {
            bosTokenID = Self.configToken(config["bos_token"]).flatMap(lookup)
            eosTokenIDs = Set([Self.configToken(config["eos_token"]).flatMap(lookup)].compactMap { $0 })
        } else {
            bosTokenID = postProcessor?.leadingSpecialIDs.first
            let names = ["</s>", "<|end_of_text|>", "<|endoftext|>", "<|eot_id|>", "<|im_end|>", "<eos>", "<|end|>", "<end_of_turn>"]
            eosTokenIDs = Set(added.filter { $0.special && names.contains($0.content) }.map(\.id))
        }
    }

    /// A `tokenizer_config.json` token entry: a string or an object with `content`.
    private static func configToken(_ value: JSONValue?) -> String? {
        if let string = value?.stringValue { return string }
        if let object = value?.objectValue { return object["content"]?.stringValue }
        return nil
    }

    // MARK: Encoding

    public func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        var ids: [Int] = []
        // 1. Added tokens that match the raw text.
        var rawSegments: [AddedVocabulary.Segment] = []
        addedVocabulary.split(TextPiece(scalars: Array(text.unicodeScalars), atStart: true),
                              with: addedVocabulary.rawMatcher, into: &rawSegments)
        for segment in rawSegments {
            switch segment {
            case .token(let id):
                ids.append(id)
            case .text(var piece):
                // 2. Normalize the text between them, then split out the normalized added tokens.
                if let normalizer { piece.scalars = normalizer.apply(piece.scalars) }
                var segments: [AddedVocabulary.Segment] = []
                addedVocabulary.split(piece, with: addedVocabulary.normalizedMatcher, into: &segments)
                for inner in segments {
                    switch inner {
                    case .token(let id):
                        ids.append(id)
                    case .text(let text):
                        // 3. Pre-tokenize and run the model on each word.
                        let words = preTokenizer?.apply([text]) ?? [text]
                        for word in words { model.tokenize(word.scalars, into: &ids) }
                    }
                }
            }
        }
        if addSpecialTokens, let postProcessor { ids = postProcessor.apply(ids) }
        return ids
    }

    // MARK: Decoding

    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        var tokens: [[Unicode.Scalar]] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let piece = piece(for: id) else { continue }
            if skipSpecialTokens && addedVocabulary.specialContents.contains(ExactString(piece)) { continue }
            tokens.append(Array(piece.unicodeScalars))
        }
        if let decoder { return decoder.decode(tokens) }
        return tokens.map { String(scalars: $0) }.joined(separator: " ")
    }

    /// The vocabulary piece for `id`. For an added token with `normalized: true` this is its
    /// normalized form when the normalizer changes it (what the decoder receives), as the library's
    /// `id_to_token` returns; ``addedTokens`` holds the original content.
    public func piece(for id: Int) -> String? {
        if let piece = addedVocabulary.pieceByID[id] { return piece }
        guard id >= 0 && id < model.pieces.count else { return nil }
        return model.pieces[id]
    }

    public func id(for piece: String) -> Int? {
        let key = ExactString(piece)
        return addedVocabulary.idByContent[key] ?? model.vocab[key]
    }
}
