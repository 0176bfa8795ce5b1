import Harness
import Tokenizers

/// The legacy completions `logprobs` object of one choice:
/// `{"tokens", "token_logprobs", "top_logprobs", "text_offset"}`, one entry per token.
///
/// - With `echo`, the entries start with the prompt's tokens. The first token (BOS for Llama
///   tokenizers) has no context: its `token_logprobs` and `top_logprobs` entries are `null` (as in
///   OpenAI and vLLM). BOS's `tokens` entry is `""` (it adds no text) and its `text_offset` is 0.
/// - `tokens[i]` is the text token `i` adds to the choice's `text` (see ``TokenAlignment``), so
///   concatenating `tokens` gives `text` whenever the tokenizer round-trips it.
/// - `text_offset[i]` is where that text begins in the choice's `text`, in Unicode scalars (code
///   points, Python string indices). With `echo` the text starts with the prompt exactly as sent,
///   so prompt offsets index the client's prompt string; without `echo` offsets index the completion.
/// - `top_logprobs[i]` maps token texts to log-probs, most likely first: the `logprobs` best
///   alternatives plus the actual token when it is not among them (so up to `logprobs + 1`
///   entries, as OpenAI documents). Alternatives with the same text keep the most likely.
/// - Generated tokens after a stop-sequence cut are left out.
///
/// Log-probs are natural logs from one teacher-forced pass over prompt + completion, the same
/// numbers `NativeLanguageModel.scores` gives for those tokens.
public enum CompletionLogprobs {
    /// The logprobs object for `run`, and the tokens it lists.
    public static func make(run: PromptRun, prompt: String, echo: Bool, topK: Int, tokenizer: any Tokenizer) -> JSONValue {
        let tokens = run.promptTokens + run.generated
        let alignment = TokenAlignment(tokens: tokens, text: prompt + run.fullCompletion, tokenizer: tokenizer)
        let promptLength = prompt.unicodeScalars.count
        let end = promptLength + run.completion.unicodeScalars.count
        let cut = run.completion.unicodeScalars.count < run.fullCompletion.unicodeScalars.count
        var kept = run.promptTokens.count
        for j in run.promptTokens.count ..< tokens.count where !cut || alignment.offsets[j] < end { kept = j + 1 }
        let first = echo ? 0 : run.promptTokens.count
        let base = echo ? 0 : promptLength
        let scores = run.scores ?? []
        var texts: [JSONValue] = [], logprobs: [JSONValue] = [], tops: [JSONValue] = [], offsets: [JSONValue] = []
        for i in first ..< kept {
            texts.append(.string(alignment.texts[i]))
            offsets.append(.int(alignment.offsets[i] - base))
            guard i > 0, i - 1 < scores.count else {
                logprobs.append(.null)
                tops.append(.null)
                continue
            }
            let score = scores[i - 1]
            logprobs.append(.double(score.logprob))
            let previous = tokens[i - 1]
            var entries = score.top
            if !entries.contains(where: { $0.id == tokens[i] }) {
                let actual = TokenLogprob(id: tokens[i], logprob: score.logprob)
                let position = entries.firstIndex { $0.logprob < actual.logprob } ?? entries.count
                entries.insert(actual, at: position)
            }
            var pairs: [(String, JSONValue)] = []
            var seen = Set<String>()
            for entry in entries {
                let text = entry.id == tokens[i] ? alignment.texts[i] : TokenAlignment.text(of: entry.id, after: previous, tokenizer: tokenizer)
                if seen.insert(text).inserted { pairs.append((text, .double(entry.logprob))) }
            }
            tops.append(.object(JSONObject(pairs)))
        }
        return .object([
            ("tokens", .array(texts)),
            ("token_logprobs", .array(logprobs)),
            ("top_logprobs", .array(tops)),
            ("text_offset", .array(offsets)),
        ])
    }
}
