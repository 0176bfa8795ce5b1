import Harness
import Foundation
import Tokenizers

/// The `forgetbench mask` pipeline: read a training set, tokenize it with a chat format, score it
/// once with the frozen base model (through the score cache), apply a regime and write the masked
/// set and its manifest.
///
/// Examples longer than the maximum length are truncated at the end (the manifest counts them); an
/// example left with no trainable response token is an error naming its line.
public struct MaskedDatasetBuilder {
    /// The model that scores: any that gives token log-probs (the built-in engine, or a server
    /// serving the same weights with the same tokenizer).
    public let model: any LanguageModel
    /// The tokenizer that makes `input_ids` (the model's: a server is sent these ids as they are).
    public let tokenizer: any Tokenizer
    /// The tokenizer's file; its directory holds the chat template, and its sha256 goes into the
    /// manifest.
    public let tokenizerPath: String
    /// Receives a one-line notice when `--chat-format auto` finds no chat template (shown once
    /// per builder).
    public var notice: (@Sendable (String) -> Void)?

    public init(model: any LanguageModel, tokenizer: any Tokenizer, tokenizerPath: String, notice: (@Sendable (String) -> Void)? = nil) {
        self.model = model
        self.tokenizer = tokenizer
        self.tokenizerPath = tokenizerPath
        self.notice = notice
    }

    /// The directory of the tokenizer file: where `tokenizer_config.json` or
    /// `chat_template.jinja` hold the chat template.
    public var templateDirectory: URL? {
        tokenizerPath.isEmpty ? nil : URL(fileURLWithPath: tokenizerPath).deletingLastPathComponent()
    }

    /// sha256 of the tokenizer file's bytes (nil when it cannot be read).
    public var tokenizerSHA256: String? {
        FileManager.default.contents(atPath: tokenizerPath).map { ContentHash.sha256($0) }
    }

    /// The formatter for `chatFormat` with this model's tokenizer and template.
    public func exampleTokenizer(chatFormat: ChatFormat, maxLength: Int, trainOnEndOfTurn: Bool = true) throws -> ExampleTokenizer {
        try ExampleTokenizer(tokenizer: tokenizer, format: chatFormat, maxLength: maxLength, templateDirectory: templateDirectory,
                             trainOnEndOfTurn: trainOnEndOfTurn)
    }

    /// The result of a run.
    public struct Outcome: Sendable {
        public var examples: [MaskedExample]
        public var manifest: MaskedDatasetManifest
        /// Whether the scores came from the cache.
        public var usedCache: Bool
        /// Where the cache is (nil without one).
        public var cachePath: String?
    }

    /// Tokenizes and scores a training file (no masking). Used by `mask` and `perplexity --summary`.
    /// - Throws: ``MaskingError`` for bad input lines or options, the engine's errors for bad tokens.
    public func scoreFile(input: String, chatFormat: ChatFormat, maxSeqLen: Int?, cacheDirectory: String?,
                          trainOnEndOfTurn: Bool = true, progress: ((Int, Int) -> Void)? = nil)
        async throws -> (examples: [TrainingExample], scores: [ScoredExample], format: ChatFormat, maxSeqLen: Int, dataSHA256: String, cached: Bool,
                   cachePath: String?, templateSHA256: String?) {
        let limit = maxSeqLen ?? model.maxContextLength
        guard limit <= model.maxContextLength else {
            throw MaskingError.badOption("--max-seq-len \(limit) exceeds the model's context (\(model.maxContextLength) tokens)")
        }
        let (examples, sha) = try TrainingDataReader.read(path: input)
        let tokenizer = try exampleTokenizer(chatFormat: chatFormat, maxLength: limit, trainOnEndOfTurn: trainOnEndOfTurn)
        if let message = tokenizer.formatter.notice, examples.contains(where: { if case .text = $0.content { true } else { false } }) {
            notice?(message)
        }
        var tokenized: [TokenizedExample] = []
        for example in examples {
            if case let .tokens(p, r) = example.content, let bad = (p + r).first(where: { $0 < 0 || $0 >= self.tokenizer.vocabularySize }) {
                throw MaskingError.badLine(path: input, line: example.line, problem: "token id \(bad) is outside the vocabulary (0..<\(self.tokenizer.vocabularySize))")
            }
            let t: TokenizedExample
            do {
                t = try tokenizer.tokenize(example)
            } catch let error as ChatFormatError {
                throw MaskingError.badLine(path: input, line: example.line, problem: error.message)
            }
            guard !t.trainablePositions.isEmpty else {
                let why = t.truncated ? "the prompt fills --max-seq-len \(limit); no response token is left" : "the response has no tokens"
                throw MaskingError.badLine(path: input, line: example.line, problem: why)
            }
            tokenized.append(t)
        }
        let templateSHA = tokenizer.formatter.template.map { ContentHash.sha256($0.source) }
        let formatKey = templateSHA.map { "template-" + $0 } ?? tokenizer.format.rawValue
        let cacheURL = cacheDirectory.map {
            URL(fileURLWithPath: $0).appendingPathComponent(ScoreCache.fileName(modelSHA256: model.fingerprint.sha256, dataSHA256: sha,
                                                                                chatFormat: formatKey, maxSeqLen: limit))
        }
        let (scores, cached) = try await DatasetScorer(model: model).score(tokenized, dataSHA256: sha, chatFormat: tokenizer.format, maxSeqLen: limit,
                                                                      cacheURL: cacheURL, progress: progress)
        return (examples, scores, tokenizer.format, limit, sha, cached, cacheURL?.path, templateSHA)
    }

    /// Masks `scores` under `regime`: the dataset lines and the manifest (not written). `reference`:
    /// the same sequences scored by a ground-truth fine-tune (`dpf`, `stm+dpf` need it).
    /// - Throws: ``MaskingError/badReference(_:)`` (see ``MaskSelector/select(_:scores:seed:reference:)``).
    public func mask(examples: [TrainingExample], scores: [ScoredExample], regime: MaskingRegime, seed: UInt64, format: ChatFormat,
                     maxSeqLen: Int, dataSHA256: String, input: String, templateSHA256: String? = nil,
                     trainOnEndOfTurn: Bool = true, reference: [ScoredExample]? = nil) throws -> (examples: [MaskedExample], manifest: MaskedDatasetManifest) {
        let masked = try MaskSelector.select(regime, scores: scores, seed: seed, reference: reference)
        let weights = MaskSelector.weights(regime, scores: scores)
        let lines = zip(zip(examples, scores), masked).enumerated().map { e, pair in
            MaskedExample(scored: pair.0.1, masked: pair.1, id: pair.0.0.id, weights: weights?[e])
        }
        let response = scores.map { $0.tokens.trainablePositions.count }.reduce(0, +)
        let trained = lines.map(\.trainedCount).reduce(0, +)
        let nll = MaskedLoss.mean(zip(lines, scores).map { ($0.labels, $1.logProbs) })
        var manifest = MaskedDatasetManifest(
            baseModel: model.fingerprint, dataSHA256: dataSHA256, input: input, chatFormat: format.rawValue,
            regime: regime.description, tau: regime.tau, seed: seed, maxSeqLen: maxSeqLen,
            counts: .init(examples: lines.count, responseTokens: response, maskedTokens: response - trained, trainedTokens: trained),
            truncatedExamples: scores.filter(\.tokens.truncated).count, baseMaskedMeanNLL: nll)
        manifest.tokenizerSHA256 = tokenizerSHA256
        manifest.chatTemplateSHA256 = templateSHA256
        manifest.endOfTurnTrained = trainOnEndOfTurn
        return (lines, manifest)
    }

    /// Runs the whole pipeline and writes `request.output` and its manifest atomically.
    /// - Throws: ``MaskingError`` (bad lines, options, unwritable paths) or the engine's errors.
    /// `reference`: the model whose scores `dpf` and `stm+dpf` compare with the base's (a
    /// ground-truth fine-tune of it, same tokenizer); it scores the same sequences, without a cache.
    @discardableResult
    public func run(_ request: MaskingRequest, reference: (any LanguageModel)? = nil, progress: ((Int, Int) -> Void)? = nil) async throws -> Outcome {
        if request.regime.needsReference && reference == nil {
            throw MaskingError.badReference("\(request.regime) needs a reference model: a ground-truth fine-tune of the base (--reference)")
        }
        let cacheDir = request.useCache ? (request.cacheDirectory ?? URL(fileURLWithPath: request.output).deletingLastPathComponent().path) : nil
        if let cacheDir { try? FileManager.default.createDirectory(atPath: cacheDir, withIntermediateDirectories: true) }
        let scored = try await scoreFile(input: request.input, chatFormat: request.chatFormat, maxSeqLen: request.maxSeqLen,
                                   cacheDirectory: cacheDir, trainOnEndOfTurn: request.trainOnEndOfTurn, progress: progress)
        var referenceScores: [ScoredExample]?
        if request.regime.needsReference, let reference {
            let other = MaskedDatasetBuilder(model: reference, tokenizer: tokenizer, tokenizerPath: tokenizerPath)
            referenceScores = try await other.scoreFile(input: request.input, chatFormat: request.chatFormat, maxSeqLen: scored.maxSeqLen,
                                                        cacheDirectory: nil, trainOnEndOfTurn: request.trainOnEndOfTurn).scores
        }
        let (lines, manifest) = try mask(examples: scored.examples, scores: scored.scores, regime: request.regime, seed: request.seed,
                                     format: scored.format, maxSeqLen: scored.maxSeqLen, dataSHA256: scored.dataSHA256, input: request.input,
                                     templateSHA256: scored.templateSHA256, trainOnEndOfTurn: request.trainOnEndOfTurn,
                                     reference: referenceScores)
        try AtomicFile.write(try JSONLines.encode(lines), to: URL(fileURLWithPath: request.output))
        try manifest.save(to: MaskedDatasetManifest.path(forDataset: request.output))
        return Outcome(examples: lines, manifest: manifest, usedCache: scored.cached, cachePath: scored.cachePath)
    }
}
