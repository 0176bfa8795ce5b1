import Foundation
import Harness

/// What a masked training set was made from: written beside it as `OUT.manifest.json` (for
/// `OUT.jsonl`; any other extension: the output path + `.manifest.json`).
///
/// JSON keys: `format_version` (1), `created_by` ("forgetbench mask"), `base_model` (`sha256`, `files`:
/// the ``ModelFingerprint`` of the scoring model), `data_sha256` (of the input file's bytes), `input`
/// (the input path as given), `chat_format` (resolved, never `auto`), `regime` (canonical form),
/// `tau` (for `stm` and `matched` regimes, else null), `seed`, `max_seq_len`, `counts`
/// (`examples`, `response_tokens`: response tokens that can carry a loss, `masked_tokens`,
/// `masked_fraction` = masked / response, `trained_tokens`), `truncated_examples` (cut to
/// `max_seq_len`), and `base_masked_mean_nll` (the base model's token-weighted mean NLL over the
/// trained tokens: what a Hugging Face loss on the same weights gives for this file).
public struct MaskedDatasetManifest: Codable, Hashable, Sendable {
    /// Token counts over the whole dataset.
    public struct Counts: Codable, Hashable, Sendable {
        /// Examples in the dataset.
        public var examples: Int
        /// Response tokens that can carry a loss (position >= 1).
        public var responseTokens: Int
        /// Response tokens the regime dropped (label -100).
        public var maskedTokens: Int
        /// maskedTokens / responseTokens (0 when there are none).
        public var maskedFraction: Double
        /// Tokens with a label: responseTokens - maskedTokens.
        public var trainedTokens: Int

        enum CodingKeys: String, CodingKey {
            case examples, responseTokens = "response_tokens", maskedTokens = "masked_tokens"
            case maskedFraction = "masked_fraction", trainedTokens = "trained_tokens"
        }

        public init(examples: Int, responseTokens: Int, maskedTokens: Int, trainedTokens: Int) {
            self.examples = examples
            self.responseTokens = responseTokens
            self.maskedTokens = maskedTokens
            self.maskedFraction = responseTokens == 0 ? 0 : Double(maskedTokens) / Double(responseTokens)
            self.trainedTokens = trainedTokens
        }
    }

    /// Manifest layout version (1).
    public var formatVersion: Int = 1
    /// The tool that wrote it.
    public var createdBy: String = "forgetbench mask"
    /// Fingerprint of the base model that scored the data; ``verify(against:)`` compares its sha256.
    public var baseModel: ModelFingerprint
    /// sha256 of the input training file's bytes.
    public var dataSHA256: String
    /// The input path as given.
    public var input: String
    /// The resolved chat format (`template`, `plain`, `chatml`, `llama3`).
    public var chatFormat: String
    /// sha256 of the tokenizer file that made `input_ids`; a trainer with another tokenizer must
    /// refuse the data (nil in manifests written before it was recorded).
    public var tokenizerSHA256: String?
    /// sha256 of the chat template's text, for `template`; nil for the built-in formats.
    public var chatTemplateSHA256: String?
    /// Whether the end-of-turn tokens after each reply are trained on.
    public var endOfTurnTrained: Bool?
    /// The regime in canonical form (``MaskingRegime/description``).
    public var regime: String
    /// TAU of `stm` and `matched` regimes; nil otherwise.
    public var tau: Double?
    /// Seed of the random regimes (recorded for every regime).
    public var seed: UInt64
    /// Longest sequence in tokens; longer examples were truncated at the end.
    public var maxSeqLen: Int
    /// Token counts over the dataset.
    public var counts: Counts
    /// Examples cut to ``maxSeqLen``.
    public var truncatedExamples: Int
    /// The base model's token-weighted mean NLL (nats) over the trained tokens; nil when none is trained.
    public var baseMaskedMeanNLL: Double?

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", createdBy = "created_by", baseModel = "base_model", dataSHA256 = "data_sha256"
        case input, chatFormat = "chat_format", regime, tau, seed, maxSeqLen = "max_seq_len", counts
        case truncatedExamples = "truncated_examples", baseMaskedMeanNLL = "base_masked_mean_nll"
        case tokenizerSHA256 = "tokenizer_sha256", chatTemplateSHA256 = "chat_template_sha256", endOfTurnTrained = "end_of_turn_trained"
    }

    public init(baseModel: ModelFingerprint, dataSHA256: String, input: String, chatFormat: String, regime: String, tau: Double?,
                seed: UInt64, maxSeqLen: Int, counts: Counts, truncatedExamples: Int, baseMaskedMeanNLL: Double?) {
        self.baseModel = baseModel
        self.dataSHA256 = dataSHA256
        self.input = input
        self.chatFormat = chatFormat
        self.regime = regime
        self.tau = tau
        self.seed = seed
        self.maxSeqLen = maxSeqLen
        self.counts = counts
        self.truncatedExamples = truncatedExamples
        self.baseMaskedMeanNLL = baseMaskedMeanNLL
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(formatVersion, forKey: .formatVersion)
        try c.encode(createdBy, forKey: .createdBy)
        try c.encode(baseModel, forKey: .baseModel)
        try c.encode(dataSHA256, forKey: .dataSHA256)
        try c.encode(input, forKey: .input)
        try c.encode(chatFormat, forKey: .chatFormat)
        try c.encodeIfPresent(tokenizerSHA256, forKey: .tokenizerSHA256)
        try c.encode(chatTemplateSHA256, forKey: .chatTemplateSHA256)
        try c.encodeIfPresent(endOfTurnTrained, forKey: .endOfTurnTrained)
        try c.encode(regime, forKey: .regime)
        try c.encode(tau, forKey: .tau)   // null, not absent, when the regime has no TAU
        try c.encode(seed, forKey: .seed)
        try c.encode(maxSeqLen, forKey: .maxSeqLen)
        try c.encode(counts, forKey: .counts)
        try c.encode(truncatedExamples, forKey: .truncatedExamples)
        try c.encode(baseMaskedMeanNLL.flatMap { $0.isFinite ? $0 : nil }, forKey: .baseMaskedMeanNLL)
    }

    /// The manifest path for a dataset path: `x.jsonl` -> `x.manifest.json`, anything else + `.manifest.json`.
    public static func path(forDataset dataset: String) -> String {
        (dataset.hasSuffix(".jsonl") ? String(dataset.dropLast(6)) : dataset) + ".manifest.json"
    }

    /// Reads the manifest beside `dataset`.
    /// - Throws: ``MaskingError/file(path:problem:)`` when it is missing or not a manifest.
    public static func load(forDataset dataset: String) throws -> MaskedDatasetManifest {
        let path = path(forDataset: dataset)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MaskingError.file(path: path, problem: "no manifest beside the masked dataset (make it with forgetbench mask)")
        }
        do { return try JSONDecoder().decode(MaskedDatasetManifest.self, from: data) } catch {
            throw MaskingError.file(path: path, problem: "not a masked-dataset manifest (\(error))")
        }
    }

    /// Checks that the dataset was scored with the model of `fingerprint` (same sha256).
    /// - Throws: ``MaskingError/fingerprintMismatch(dataset:expected:found:)`` otherwise.
    public func verify(against fingerprint: ModelFingerprint) throws {
        guard fingerprint.sha256 == baseModel.sha256 else {
            throw MaskingError.fingerprintMismatch(dataset: input, expected: baseModel.sha256, found: fingerprint.sha256)
        }
    }

    /// Checks that a trainer's tokenizer and chat template are the ones that made the data: a
    /// trainer whose tokenizer (or template) differs would learn from labels computed on other
    /// tokens. Nil arguments and fields not recorded are not compared.
    /// - Throws: ``MaskingError/tokenizationMismatch(dataset:what:expected:found:)`` otherwise.
    public func verify(tokenizerSHA256 tokenizer: String?, chatTemplateSHA256 template: String?) throws {
        if let recorded = tokenizerSHA256, let tokenizer, recorded != tokenizer {
            throw MaskingError.tokenizationMismatch(dataset: input, what: "tokenizer", expected: recorded, found: tokenizer)
        }
        if let recorded = chatTemplateSHA256, recorded != template {
            throw MaskingError.tokenizationMismatch(dataset: input, what: "chat template", expected: recorded, found: template ?? "none")
        }
    }

    /// Writes the manifest atomically (pretty-printed, sorted keys).
    public func save(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(self), to: URL(fileURLWithPath: path))
    }
}
