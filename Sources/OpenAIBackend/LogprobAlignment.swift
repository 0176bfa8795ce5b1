import Harness

/// One prompt token as a server echoed it.
public struct EchoedToken: Sendable, Hashable {
    /// The token's text.
    public var text: String
    /// Where it starts in the prompt, in Unicode scalars (Python's `str` indices), after aligning
    /// the echoed tokens' end with the prompt's end.
    public var offset: Int
    /// Natural-log probability given everything before it; nil for the first token.
    public var logprob: Double?
    /// Whether the token is the model's most likely one at its position (nil when unknown).
    public var isTopChoice: Bool?

    public init(text: String, offset: Int, logprob: Double?, isTopChoice: Bool?) {
        self.text = text
        self.offset = offset
        self.logprob = logprob
        self.isTopChoice = isTopChoice
    }
}

/// Turns the echoed prompt log-probs of a completions response into lm-evaluation-harness answers.
///
/// The split between context and continuation follows `NativeLanguageModel.encodePair`: the
/// context's trailing spaces move into the continuation, and the continuation's tokens are those
/// that start at or after the end of the (trimmed) context, in characters. A token that straddles
/// the boundary (starts inside the context) counts as context.
///
/// Offsets are counted in Unicode scalars, as Python servers count `str` indices. Echoed tokens
/// are anchored at the prompt's end: when the tokens' text covers more than the prompt (a `<s>`
/// shown before it), the extra is taken to be at the start.
public enum LogprobAlignment {
    /// Why a response could not be aligned.
    public enum Problem: Error, Sendable, Equatable {
        /// The response holds no log-probs for the prompt's tokens.
        case noPromptLogprobs(String)
        /// The response is inconsistent.
        case invalid(String)
    }

    /// The continuation's first character, in Unicode scalars: `context` without its trailing spaces.
    public static func boundary(context: String) -> Int {
        var scalars = Array(context.unicodeScalars)
        while scalars.last == " " { scalars.removeLast() }
        return scalars.count
    }

    /// The prompt's tokens of `choice`, which answered `prompt` with `echo` and `logprobs`;
    /// `generated` tokens at the end (a completion the server insisted on) are dropped.
    public static func promptTokens(of choice: CompletionChoice, prompt: String, droppingLast generated: Int) throws(Problem) -> [EchoedToken] {
        var tokens: [EchoedToken]
        if let lp = choice.logprobs, let texts = lp.tokens, let logprobs = lp.tokenLogprobs, let offsets = lp.textOffset, !texts.isEmpty {
            guard logprobs.count == texts.count, offsets.count == texts.count else {
                throw .invalid("logprobs arrays have different lengths (tokens \(texts.count), token_logprobs \(logprobs.count), text_offset \(offsets.count))")
            }
            if let text = choice.text, !text.hasPrefix(prompt) {
                throw .noPromptLogprobs("the returned text does not start with the prompt: echo was ignored")
            }
            tokens = texts.indices.map { i in
                var top: Bool?
                if let alternatives = lp.topLogprobs, i < alternatives.count, let alts = alternatives[i], let best = alts.max(by: { $0.value < $1.value }) {
                    top = best.key == texts[i] || (logprobs[i].map { $0 >= best.value } ?? false)
                }
                return EchoedToken(text: texts[i], offset: offsets[i], logprob: logprobs[i], isTopChoice: top)
            }
        } else if let entries = choice.promptLogprobs, let ids = choice.promptTokenIds, !ids.isEmpty {
            guard entries.count == ids.count else {
                throw .invalid("prompt_logprobs has \(entries.count) entries for \(ids.count) prompt_token_ids")
            }
            tokens = []
            var offset = 0
            for (entry, id) in zip(entries, ids) {
                let own = entry?[String(id)]
                let text = own?.decodedToken ?? ""
                tokens.append(EchoedToken(text: text, offset: offset, logprob: own?.logprob, isTopChoice: own?.rank.map { $0 == 1 }))
                offset += text.unicodeScalars.count
            }
            // The first prompt token has no entry, hence no text: the tokens may cover less than the prompt.
            return try anchored(tokens, promptLength: prompt.unicodeScalars.count, mayStartLate: true)
        } else {
            throw .noPromptLogprobs(choice.logprobs == nil ? "the response has no logprobs" : "the response's logprobs hold no tokens")
        }
        tokens.removeLast(min(max(generated, 0), tokens.count))
        guard !tokens.isEmpty else { throw .noPromptLogprobs("the response holds no prompt tokens: echo was ignored") }
        return try anchored(tokens, promptLength: prompt.unicodeScalars.count)
    }

    /// Shifts offsets so that the last token ends where the prompt ends.
    static func anchored(_ tokens: [EchoedToken], promptLength: Int, mayStartLate: Bool = false) throws(Problem) -> [EchoedToken] {
        guard let last = tokens.last else { return tokens }
        for i in tokens.indices.dropFirst() where tokens[i].offset < tokens[i - 1].offset {
            throw .invalid("text_offset decreases at token \(i)")
        }
        let shift = last.offset + last.text.unicodeScalars.count - promptLength
        guard shift >= 0 || mayStartLate else {
            throw .noPromptLogprobs("the echoed tokens cover \(promptLength + shift) of the prompt's \(promptLength) characters")
        }
        guard shift != 0 else { return tokens }
        return tokens.map { t in
            var t = t
            t.offset -= shift
            return t
        }
    }

    /// The log-likelihood of the tokens that start at or after `boundary` (see `boundary(context:)`).
    public static func continuationScore(_ tokens: [EchoedToken], boundary: Int) throws(Problem) -> LoglikelihoodResponse {
        let continuation = tokens.filter { $0.offset >= boundary }
        guard !continuation.isEmpty else {
            throw .invalid("no echoed token starts at or after the context's end (character \(boundary)): the continuation adds no token of its own")
        }
        var sum = 0.0
        var greedy = true
        for token in continuation {
            guard let lp = token.logprob else { throw .invalid("a continuation token ('\(token.text)') has no log-prob (is the context empty?)") }
            sum += lp
            if token.isTopChoice != true { greedy = false }
        }
        return LoglikelihoodResponse(logLikelihood: sum, isGreedy: greedy, tokenCount: continuation.count)
    }

    /// The sum of every scored token's log-prob (the first token, or a BOS, has none).
    public static func rollingScore(_ tokens: [EchoedToken]) -> RollingLoglikelihoodResponse {
        let scored = tokens.compactMap(\.logprob)
        return RollingLoglikelihoodResponse(logLikelihood: scored.reduce(0, +), tokenCount: scored.count)
    }
}
