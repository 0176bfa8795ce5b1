import Harness
import Foundation
import NativeModel

/// The `forgetbench mask` pipeline: read a training set, tokenize it with a chat format, score it
/// once with the frozen base model (through the score cache), apply a regime and write the masked
/// set and its manifest.
///
/// Examples longer than the maximum length are truncated at the end (the manifest counts them); an
/// example left with no trainable response token is an error naming its line.
public struct MaskedDatasetBuilder {
    public let model: NativeLanguageModel

    public init(model: NativeLanguageModel) { self.model = model }

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
                          progress: ((Int, Int) -> Void)? = nil)
        throws -> (examples: [TrainingExample], scores: [ScoredExample], format: ChatFormat, maxSeqLen: Int, dataSHA256: String, cached: Bool, cachePath: String?) {
        let limit = maxSeqLen ?? model.maxContextLength
        guard limit <= model.maxContextLength else {
            throw MaskingError.badOption("--max-seq-len \(limit) exceeds the model's context (\(model.maxContextLength) tokens)")
        }
        let (examples, sha) = try TrainingDataReader.read(path: input)
        let tokenizer = try ExampleTokenizer(tokenizer: model.tokenizer, format: chatFormat, maxLength: limit)
        var tokenized: [TokenizedExample] = []
        for example in examples {
            if case let .tokens(p, r) = example.content, let bad = (p + r).first(where: { $0 < 0 || $0 >= model.config.vocabSize }) {
                throw MaskingError.badLine(path: input, line: example.line, problem: "token id \(bad) is outside the vocabulary (0..<\(model.config.vocabSize))")
            }
            let t = tokenizer.tokenize(example)
            guard !t.trainablePositions.isEmpty else {
                let why = t.truncated ? "the prompt fills --max-seq-len \(limit); no response token is left" : "the response has no tokens"
                throw MaskingError.badLine(path: input, line: example.line, problem: why)
            }
            tokenized.append(t)
        }
        let cacheURL = cacheDirectory.map {
            URL(fileURLWithPath: $0).appendingPathComponent(ScoreCache.fileName(modelSHA256: model.fingerprint.sha256, dataSHA256: sha,
                                                                                chatFormat: tokenizer.format.rawValue, maxSeqLen: limit))
        }
        let (scores, cached) = try DatasetScorer(model: model).score(tokenized, dataSHA256: sha, chatFormat: tokenizer.format, maxSeqLen: limit,
                                                                      cacheURL: cacheURL, progress: progress)
        return (examples, scores, tokenizer.format, limit, sha, cached, cacheURL?.path)
    }

    /// Masks `scores` under `regime`: the dataset lines and the manifest (not written).
    public func mask(examples: [TrainingExample], scores: [ScoredExample], regime: MaskingRegime, seed: UInt64, format: ChatFormat,
                     maxSeqLen: Int, dataSHA256: String, input: String) -> (examples: [MaskedExample], manifest: MaskedDatasetManifest) {
        let masked = MaskSelector.select(regime, scores: scores, seed: seed)
        let lines = zip(zip(examples, scores), masked).map { MaskedExample(scored: $0.1, masked: $1, id: $0.0.id) }
        let response = scores.map { $0.tokens.trainablePositions.count }.reduce(0, +)
        let trained = lines.map(\.trainedCount).reduce(0, +)
        let nll = MaskedLoss.mean(zip(lines, scores).map { ($0.labels, $1.logProbs) })
        let manifest = MaskedDatasetManifest(
            baseModel: model.fingerprint, dataSHA256: dataSHA256, input: input, chatFormat: format.rawValue,
            regime: regime.description, tau: regime.tau, seed: seed, maxSeqLen: maxSeqLen,
            counts: .init(examples: lines.count, responseTokens: response, maskedTokens: response - trained, trainedTokens: trained),
            truncatedExamples: scores.filter(\.tokens.truncated).count, baseMaskedMeanNLL: nll)
        return (lines, manifest)
    }

    /// Runs the whole pipeline and writes `request.output` and its manifest atomically.
    /// - Throws: ``MaskingError`` (bad lines, options, unwritable paths) or the engine's errors.
    @discardableResult
    public func run(_ request: MaskingRequest, progress: ((Int, Int) -> Void)? = nil) throws -> Outcome {
        let cacheDir = request.useCache ? (request.cacheDirectory ?? URL(fileURLWithPath: request.output).deletingLastPathComponent().path) : nil
        if let cacheDir { try? FileManager.default.createDirectory(atPath: cacheDir, withIntermediateDirectories: true) }
        let scored = try scoreFile(input: request.input, chatFormat: request.chatFormat, maxSeqLen: request.maxSeqLen,
                                   cacheDirectory: cacheDir, progress: progress)
        let (lines, manifest) = mask(examples: scored.examples, scores: scored.scores, regime: request.regime, seed: request.seed,
                                     format: scored.format, maxSeqLen: scored.maxSeqLen, dataSHA256: scored.dataSHA256, input: request.input)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for line in lines {
            data.append(try encoder.encode(line))
            data.append(0x0A)
        }
        try AtomicFile.write(data, to: URL(fileURLWithPath: request.output))
        try manifest.save(to: MaskedDatasetManifest.path(forDataset: request.output))
        return Outcome(examples: lines, manifest: manifest, usedCache: scored.cached, cachePath: scored.cachePath)
    }
}
