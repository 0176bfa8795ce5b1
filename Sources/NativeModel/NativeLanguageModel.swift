import Foundation
import Harness
import Tokenizers

/// The built-in engine as a `LanguageModel`: a Llama-family checkpoint, its tokenizer, and the
/// requests of lm-evaluation-harness (token log-probs, log-likelihood, rolling log-likelihood,
/// generation).
public final class NativeLanguageModel: LanguageModel, @unchecked Sendable {
    public let transformer: Transformer
    public let tokenizer: any Tokenizer
    public let fingerprint: ModelFingerprint
    /// Token ids that end a generation: the config's and tokenizer's EOS ids (and, for llama2.c
    /// checkpoints, BOS, where `run.c` stops).
    public let stopTokenIDs: Set<Int>
    /// Most tokens scored in one forward pass.
    public var tokenBudget = 4096
    /// Most sequences in one forward pass (nil: as many as fit `tokenBudget`). Scores do not depend
    /// on it or on `tokenBudget`: the forward pass is batch-invariant.
    public var maxBatchSequences: Int?
    /// Sequences decoded together by `generate(_:)` (continuous batching).
    public var generationBatchSize = 16
    /// The most KV-cache positions `generate(_:)` holds at once (nil: no limit beyond the batch size).
    public var generationCacheBudget: Int?
    /// Score the choices of a shared context with the context run once (on by default; off only
    /// to measure what it saves).
    public var sharesContext = true

    public var config: TransformerConfig { transformer.config }
    public var maxContextLength: Int { config.maxPositions }

    /// The tokenizer file the model was loaded with ("" when built in memory).
    public var tokenizerPath = ""
    /// The LoRA adapter merged at load time, by the content of its files (nil without one).
    public var adapterFingerprint: ModelFingerprint?

    public init(transformer: Transformer, tokenizer: any Tokenizer, fingerprint: ModelFingerprint) {
        self.transformer = transformer
        self.tokenizer = tokenizer
        self.fingerprint = fingerprint
        var stops = Set(transformer.config.eosTokenIDs).union(tokenizer.eosTokenIDs)
        if transformer.config.modelType == "llama2.c" { stops.insert(1) }
        self.stopTokenIDs = stops
    }

    /// Loads a checkpoint: a Hugging Face directory (tokenizer `tokenizer.json` inside it unless
    /// `tokenizerPath` says otherwise) or a llama2.c `.bin` (tokenizer `tokenizer.bin` or a single
    /// `tok*.bin` beside it unless given).
    ///
    /// With `adapterPath`, a PEFT LoRA adapter directory is merged into the weights, and its
    /// fingerprint (``ModelFingerprint/ofAdapter(in:)``) joins the model's.
    public static func load(modelPath: String, tokenizerPath: String? = nil, adapterPath: String? = nil) throws -> NativeLanguageModel {
        let url = URL(fileURLWithPath: modelPath)
        let weights = try CheckpointLoader.loadWeights(at: modelPath)
        var adapterFingerprint: ModelFingerprint?
        if let adapterPath {
            let directory = URL(fileURLWithPath: adapterPath)
            try LoRAAdapter.load(directory: directory).merge(into: weights)
            adapterFingerprint = try ModelFingerprint.ofAdapter(in: directory)
        }
        let weightFiles: [URL]
        let tokenizerURL: URL
        if weights.config.modelType != "llama2.c" {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            weightFiles = (names.filter { $0.hasSuffix(".safetensors") || $0 == "config.json" }).sorted().map { url.appendingPathComponent($0) }
            // tokenizer.json, or llama2.c's tokenizer.bin in a directory this engine wrote.
            let json = url.appendingPathComponent("tokenizer.json"), bin = url.appendingPathComponent("tokenizer.bin")
            tokenizerURL = tokenizerPath.map(URL.init(fileURLWithPath:))
                ?? (!FileManager.default.fileExists(atPath: json.path) && FileManager.default.fileExists(atPath: bin.path) ? bin : json)
        } else {
            weightFiles = [url]
            if let tokenizerPath {
                tokenizerURL = URL(fileURLWithPath: tokenizerPath)
            } else {
                tokenizerURL = try defaultLlama2cTokenizer(beside: url)
            }
        }
        guard FileManager.default.fileExists(atPath: tokenizerURL.path) else {
            throw ModelLoadError(path: tokenizerURL.path, problem: "tokenizer file not found (pass --tokenizer PATH)")
        }
        let tokenizer = try loadTokenizer(at: tokenizerURL.path)
        let base = try ModelFingerprint.of(files: weightFiles + [tokenizerURL])
        let fingerprint = adapterFingerprint.map { base.merging(adapter: $0) } ?? base
        let model = NativeLanguageModel(transformer: Transformer(weights: weights), tokenizer: tokenizer, fingerprint: fingerprint)
        model.tokenizerPath = tokenizerURL.path
        model.adapterFingerprint = adapterFingerprint
        return model
    }

    private static func defaultLlama2cTokenizer(beside model: URL) throws -> URL {
        let dir = model.deletingLastPathComponent()
        let standard = dir.appendingPathComponent("tokenizer.bin")
        if FileManager.default.fileExists(atPath: standard.path) { return standard }
        let candidates = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasPrefix("tok") && $0.hasSuffix(".bin") }
        guard candidates.count == 1 else {
            throw ModelLoadError(path: model.path, problem: "no tokenizer.bin beside the checkpoint (pass --tokenizer PATH)")
        }
        return dir.appendingPathComponent(candidates[0])
    }

    // MARK: Tokens

    /// Encodes `text` as the model's tokenizer does (with BOS where it adds one), except that text
    /// already beginning with the BOS token (a rendered chat template writes its own) gets no
    /// second one: the doubled-BOS bug of re-tokenizing templated text with special tokens.
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int] {
        if addSpecialTokens, let bos = tokenizer.bosTokenID, let piece = tokenizer.piece(for: bos), !piece.isEmpty,
           text.unicodeScalars.starts(with: piece.unicodeScalars) {
            let plain = tokenizer.encode(text, addSpecialTokens: false)
            if plain.first == bos { return plain }
        }
        return tokenizer.encode(text, addSpecialTokens: addSpecialTokens)
    }

    /// The directory whose `tokenizer_config.json` or `chat_template.jinja` holds the model's chat
    /// template: the tokenizer file's directory (nil before a tokenizer path is known).
    public var templateDirectory: URL? {
        tokenizerPath.isEmpty ? nil : URL(fileURLWithPath: tokenizerPath).deletingLastPathComponent()
    }

    func checkTokens(_ tokens: [Int]) throws {
        if let bad = tokens.first(where: { $0 < 0 || $0 >= config.vocabSize }) {
            throw EngineError.invalidInput("token id \(bad) is outside the vocabulary (0..<\(config.vocabSize))")
        }
    }

    /// Scores each sequence teacher-forced: the log-probability of every token after the first.
    /// Sequences are batched by length under `tokenBudget`; results do not depend on batching.
    public func scores(_ sequences: [[Int]]) throws -> [TokenScores] {
        for s in sequences {
            try checkTokens(s)
            // The last token is only a target: the forward pass sees count - 1 tokens.
            guard s.count <= maxContextLength + 1 else {
                throw EngineError.invalidInput("a sequence of \(s.count) tokens is longer than the model's context (\(maxContextLength)) plus one; use rolling log-likelihood")
            }
        }
        var results = [TokenScores](repeating: TokenScores(logProbs: [], isGreedy: []), count: sequences.count)
        let vocab = config.vocabSize
        forEachTeacherForcedBatch(sequences) { batch, logits, targets in
            let gathered = LogSoftmax.gather(logits: logits.pointer, vocab: vocab, targets: targets)
            var row = 0
            for index in batch {
                let n = sequences[index].count - 1
                let slice = gathered[row ..< row + n]
                results[index] = TokenScores(logProbs: slice.map(\.0), isGreedy: slice.map(\.1))
                row += n
            }
        }
        return results
    }

    /// Runs the teacher-forced forward passes of `sequences` (already checked): sequences of two
    /// or more tokens, longest first, in batches of at most `tokenBudget` input rows (and 256 MiB
    /// of logits). `body` gets each batch's sequence indices, its logits (one row per predicted
    /// token, sequences in batch order) and the predicted tokens in the same order.
    public func forEachTeacherForcedBatch(_ sequences: [[Int]], _ body: (_ batch: [Int], _ logits: Tensor, _ targets: [Int]) throws -> Void) rethrows {
        let order = sequences.indices.filter { sequences[$0].count >= 2 }.sorted { sequences[$0].count > sequences[$1].count }
        let rowBudget = max(1, min(tokenBudget, (256 << 20) / 4 / config.vocabSize))
        var i = 0
        while i < order.count {
            var batch: [Int] = []
            var rows = 0
            while i < order.count, batch.isEmpty || (rows + sequences[order[i]].count - 1 <= rowBudget && batch.count < maxBatchSequences ?? .max) {
                batch.append(order[i])
                rows += sequences[order[i]].count - 1
                i += 1
            }
            let inputs = batch.map { Array(sequences[$0].dropLast()) }
            let cache = KVCache(config: config, capacities: inputs.map(\.count))
            let logits = transformer.forward(inputs, cache: cache, slots: Array(inputs.indices), logits: .all)
            try body(batch, logits, batch.flatMap { sequences[$0].dropFirst() })
        }
    }

    // MARK: Generation

    /// Generates from `prompt` tokens. Returns the new tokens and why generation ended.
    /// `onToken` sees each new token as it is produced. The same as a batch of one job
    /// (`generate(_:maxConcurrent:cacheBudget:onToken:)`).
    public func generate(
        prompt: [Int], maxNewTokens: Int, temperature: Float, topP: Float, seed: UInt64,
        stopSequences: [String] = [], onToken: ((Int) -> Void)? = nil
    ) throws -> (tokens: [Int], text: String, finishReason: FinishReason) {
        let job = GenerationJob(prompt: prompt, maxNewTokens: maxNewTokens, temperature: temperature, topP: topP, seed: seed,
                                stopSequences: stopSequences)
        let outcome = try generate([job], maxConcurrent: 1, onToken: onToken.map { callback in { _, token in callback(token) } })[0]
        return (outcome.tokens, outcome.text, outcome.finishReason)
    }

    /// The text `generated` adds after `prompt`, decoded in context so that word-initial spaces
    /// and multi-byte characters split across tokens come out right.
    public func continuationText(prompt: [Int], generated: [Int]) -> String {
        let full = tokenizer.decode(prompt + generated, skipSpecialTokens: true)
        let head = tokenizer.decode(prompt, skipSpecialTokens: true)
        return Self.continuation(full, after: head)
    }

    static func continuation(_ full: String, after head: String) -> String {
        if full.hasPrefix(head) { return String(full.dropFirst(head.count)) }
        // Fall back to bytes when the prompt's last character merged with the continuation.
        let f = Array(full.utf8), h = Array(head.utf8)
        var common = 0
        while common < min(f.count, h.count), f[common] == h[common] { common += 1 }
        return String(decoding: f[common...], as: UTF8.self)
    }

    static func firstStop(in text: String, _ stops: [String]) -> String.Index? {
        stops.filter { !$0.isEmpty }.compactMap { text.range(of: $0)?.lowerBound }.min()
    }

    // MARK: LanguageModel

    /// Token log-probs through ``scores(_:)``: each sequence teacher-forced, batched by length.
    public func tokenLogprobs(_ requests: [TokenLogprobsRequest]) async throws -> [TokenLogprobsResponse] {
        try scores(requests.map(\.tokens)).enumerated().map { index, score in
            TokenLogprobsResponse(logProbs: requests[index].tokens.count < 2 ? [] : score.logProbs)
        }
    }

    /// Splits a request into context and continuation tokens as lm-evaluation-harness does:
    /// trailing spaces of the context move to the continuation; the continuation's tokens are those
    /// of `context + continuation` after the context's token count.
    public func encodePair(context: String, continuation: String) -> (context: [Int], continuation: [Int]) {
        var context = context, continuation = continuation
        let trailing = context.count - (context.lastIndex { $0 != " " }.map { context.distance(from: context.startIndex, to: $0) + 1 } ?? 0)
        if trailing > 0 {
            continuation = String(context.suffix(trailing)) + continuation
            context = String(context.dropLast(trailing))
        }
        let whole = encode(context + continuation)
        let contextTokens = encode(context)
        let split = min(contextTokens.count, whole.count)
        return (Array(whole[..<split]), Array(whole[split...]))
    }

    public func loglikelihood(_ requests: [LoglikelihoodRequest]) async throws -> [LoglikelihoodResponse] {
        try loglikelihoodSync(requests)
    }

    /// The synchronous form of `loglikelihood(_:)`. Requests that share a context (the choices of a
    /// multiple-choice item) are scored with the context run once when `sharesContext` is on.
    public func loglikelihoodSync(_ requests: [LoglikelihoodRequest]) throws -> [LoglikelihoodResponse] {
        var responses = [LoglikelihoodResponse?](repeating: nil, count: requests.count)
        var pairs: [(whole: [Int], continuation: Int, context: Int)] = []
        for request in requests {
            let (context, continuation) = encodePair(context: request.context, continuation: request.continuation)
            guard !continuation.isEmpty else {
                throw EngineError.invalidInput("the continuation '\(request.continuation)' encodes to no tokens")
            }
            try checkTokens(context + continuation)
            pairs.append((context + continuation, continuation.count, context.count))
        }
        var individual: [Int] = []
        var groups: [[Int]] = []
        if sharesContext {
            var byContext: [String: [Int]] = [:]
            var order: [String] = []
            for (i, request) in requests.enumerated() {
                if byContext[request.context] == nil { order.append(request.context) }
                byContext[request.context, default: []].append(i)
            }
            for context in order {
                let members = byContext[context]!
                if members.count > 1, members.allSatisfy({ pairs[$0].whole.count <= maxContextLength }) {
                    groups.append(members)
                } else {
                    individual += members
                }
            }
        } else {
            individual = Array(requests.indices)
        }

        // Requests scored alone: one teacher-forced pass each (left-truncated to the context).
        let sequences = individual.map { i -> [Int] in
            let whole = pairs[i].whole
            return whole.count > maxContextLength + 1 ? Array(whole.suffix(maxContextLength + 1)) : whole
        }
        for (i, score) in zip(individual, try scores(sequences)) {
            let n = min(pairs[i].continuation, score.logProbs.count)
            responses[i] = LoglikelihoodResponse(logLikelihood: score.logProbs.suffix(n).reduce(0, +),
                                                 isGreedy: score.isGreedy.suffix(n).allSatisfy { $0 }, tokenCount: n)
        }

        // Shared contexts, in chunks of groups under the token budget.
        var start = 0
        while start < groups.count {
            var end = start, tokens = 0
            while end < groups.count,
                  end == start || (tokens + groups[end].map({ pairs[$0].whole.count }).reduce(0, +) <= tokenBudget && end - start < maxBatchSequences ?? .max) {
                tokens += groups[end].map { pairs[$0].whole.count }.reduce(0, +)
                end += 1
            }
            for (i, response) in scoreSharedContexts(Array(groups[start ..< end]), pairs: pairs) { responses[i] = response }
            start = end
        }
        return responses.map { $0! }
    }

    /// Runs each group's common prefix once, then every member's remaining tokens from a copy of it.
    private func scoreSharedContexts(_ groups: [[Int]], pairs: [(whole: [Int], continuation: Int, context: Int)]) -> [(Int, LoglikelihoodResponse)] {
        let vocab = config.vocabSize
        // The shared prefix: common to all members, within every member's context, leaving each
        // member at least one token to score.
        let prefixes: [Int] = groups.map { members in
            var p = members.map { min(pairs[$0].context, pairs[$0].whole.count - 1) }.min()!
            let first = pairs[members[0]].whole
            for m in members.dropFirst() {
                let w = pairs[m].whole
                var common = 0
                while common < p, w[common] == first[common] { common += 1 }
                p = common
            }
            return max(p, 1)
        }
        let prefixCache = KVCache(config: config, capacities: prefixes)
        let prefixLogits = transformer.forward(zip(groups, prefixes).map { Array(pairs[$0.0[0]].whole.prefix($0.1)) },
                                               cache: prefixCache, slots: Array(groups.indices), logits: .last)
        var members: [(index: Int, group: Int)] = []
        for (g, group) in groups.enumerated() { members += group.map { ($0, g) } }
        let rests = members.map { Array(pairs[$0.index].whole[prefixes[$0.group]...]) }
        // Members with more than one remaining token run the rest through the model.
        let running = members.indices.filter { rests[$0].count > 1 }
        var restLogits: Tensor?
        if !running.isEmpty {
            let cache = KVCache(config: config, capacities: running.map { prefixes[members[$0].group] + rests[$0].count - 1 })
            for (slot, m) in running.enumerated() {
                cache.copyPrefix(from: prefixCache, slot: members[m].group, length: prefixes[members[m].group], into: slot)
            }
            restLogits = transformer.forward(running.map { Array(rests[$0].dropLast()) }, cache: cache, slots: Array(running.indices), logits: .all)
        }
        var rowOffset: [Int: Int] = [:]
        var offset = 0
        for m in running { rowOffset[m] = offset; offset += rests[m].count - 1 }

        var results: [(Int, LoglikelihoodResponse)] = []
        for (m, member) in members.enumerated() {
            let rest = rests[m]
            var gathered = LogSoftmax.gather(logits: prefixLogits.pointer + member.group * vocab, vocab: vocab, targets: [rest[0]])
            if let row = rowOffset[m], let restLogits {
                gathered += LogSoftmax.gather(logits: restLogits.pointer + row * vocab, vocab: vocab, targets: Array(rest.dropFirst()))
            }
            let n = pairs[member.index].continuation
            results.append((member.index, LoglikelihoodResponse(
                logLikelihood: gathered.suffix(n).map(\.0).reduce(0, +),
                isGreedy: gathered.suffix(n).allSatisfy(\.1), tokenCount: n)))
        }
        return results
    }

    /// Windows over `tokens` (BOS first) that predict every token after the first exactly once,
    /// each with as much preceding context as fits: `(sequence, number of predictions at its end)`.
    /// A window's sequence is at most the context plus one token (its last token is only a target).
    public func rollingWindows(_ tokens: [Int]) -> [(input: [Int], predicted: Int)] {
        let length = maxContextLength
        var windows: [(input: [Int], predicted: Int)] = []
        var first = 1
        while first < tokens.count {
            let end = min(first + length, tokens.count)
            let start = max(0, end - 1 - length)
            windows.append((Array(tokens[start ..< end]), end - first))
            first = end
        }
        return windows
    }

    public func loglikelihoodRolling(_ requests: [RollingLoglikelihoodRequest]) async throws -> [RollingLoglikelihoodResponse] {
        var sequences: [[Int]] = []
        var owners: [(request: Int, predicted: Int)] = []
        for (r, request) in requests.enumerated() {
            var tokens = encode(request.text, addSpecialTokens: false)
            tokens.insert(config.bosTokenID ?? tokenizer.bosTokenID ?? 0, at: 0)
            for window in rollingWindows(tokens) {
                sequences.append(window.input)
                owners.append((r, window.predicted))
            }
        }
        let scored = try scores(sequences)
        var totals = [Double](repeating: 0, count: requests.count)
        var counts = [Int](repeating: 0, count: requests.count)
        for (score, owner) in zip(scored, owners) {
            totals[owner.request] += score.logProbs.suffix(owner.predicted).reduce(0, +)
            counts[owner.request] += owner.predicted
        }
        return zip(totals, counts).map { RollingLoglikelihoodResponse(logLikelihood: $0, tokenCount: $1) }
    }

    /// Generates every request with continuous batching (`generationBatchSize` sequences at a time);
    /// each output equals the request generated alone.
    public func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
        let jobs = requests.map { request -> GenerationJob in
            var prompt = encode(request.context)
            let room = maxContextLength - request.maxTokens
            if prompt.count > room, room > 0 { prompt = Array(prompt.suffix(room)) }
            return GenerationJob(prompt: prompt, maxNewTokens: request.maxTokens, temperature: Float(request.temperature),
                                 topP: Float(request.topP), seed: request.seed, stopSequences: request.stopSequences)
        }
        return try generate(jobs, maxConcurrent: generationBatchSize, cacheBudget: generationCacheBudget).map {
            GenerationResponse(text: $0.text, tokenCount: $0.tokens.count, finishReason: $0.finishReason)
        }
    }
}

/// A request the engine cannot serve; the description is one line.
public enum EngineError: Error, CustomStringConvertible, Sendable {
    case invalidInput(String)
    public var description: String {
        switch self {
        case .invalidInput(let s): return s
        }
    }
}
