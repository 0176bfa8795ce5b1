import Tokenizers

/// Turns ``TrainingExample``s into ``TokenizedExample``s with a chat format.
///
/// The prompt part (everything up to and including the assistant header) and the response text are
/// tokenized separately and concatenated, so the prompt/response boundary falls exactly between two
/// tokens; no token spans it. (Tokenizing the joined text could merge characters across the boundary;
/// separate tokenization is what Hugging Face TRL's prompt-completion path does as well.) With
/// SentencePiece-style tokenizers that add a dummy-prefix space (llama2.c), the response text is
/// therefore tokenized as if it started a new word.
public struct ExampleTokenizer: Sendable {
    public let tokenizer: any Tokenizer
    /// The concrete format (never `auto`).
    public let format: ChatFormat
    /// Longest sequence kept; longer ones are cut from the end (prompt first, response truncated).
    public let maxLength: Int

    /// - Throws: ``MaskingError/chatFormatUnsupported(format:missing:)`` when the tokenizer lacks the
    ///   format's special tokens; ``MaskingError/badOption(_:)`` when `maxLength < 2`.
    public init(tokenizer: any Tokenizer, format: ChatFormat, maxLength: Int) throws {
        let concrete = format.resolved(for: tokenizer)
        let missing = concrete.requiredSpecialTokens.filter { tokenizer.id(for: $0) == nil }
        guard missing.isEmpty else { throw MaskingError.chatFormatUnsupported(format: concrete.rawValue, missing: missing) }
        guard maxLength >= 2 else { throw MaskingError.badOption("--max-seq-len must be at least 2 (got \(maxLength))") }
        self.tokenizer = tokenizer
        self.format = concrete
        self.maxLength = maxLength
    }

    /// The prompt and response token ids of `example`, before truncation.
    public func parts(_ example: TrainingExample) -> (prompt: [Int], response: [Int]) {
        switch example.content {
        case let .tokens(prompt, response):
            return (prompt, response)
        case let .text(turns, response):
            switch format {
            case .auto, .plain:
                let prompt = tokenizer.encode(turns.map(\.content).joined(separator: "\n"), addSpecialTokens: true)
                var answer = tokenizer.encode(response, addSpecialTokens: false)
                if let eos = tokenizer.eosTokenIDs.min() { answer.append(eos) }
                return (prompt, answer)
            case .chatml:
                let text = turns.map { "<|im_start|>\($0.role)\n\($0.content)<|im_end|>\n" }.joined() + "<|im_start|>assistant\n"
                return (tokenizer.encode(text, addSpecialTokens: true),
                        tokenizer.encode(response, addSpecialTokens: false) + [tokenizer.id(for: "<|im_end|>")!])
            case .llama3:
                let text = "<|begin_of_text|>" + turns.map { "<|start_header_id|>\($0.role)<|end_header_id|>\n\n\($0.content)<|eot_id|>" }.joined()
                    + "<|start_header_id|>assistant<|end_header_id|>\n\n"
                return (tokenizer.encode(text, addSpecialTokens: false),
                        tokenizer.encode(response, addSpecialTokens: false) + [tokenizer.id(for: "<|eot_id|>")!])
            }
        }
    }

    /// The labelled token sequence of `example`, cut to ``maxLength`` tokens from the end.
    public func tokenize(_ example: TrainingExample) -> TokenizedExample {
        let (prompt, response) = parts(example)
        var ids = prompt + response
        var flags = [Bool](repeating: false, count: prompt.count) + [Bool](repeating: true, count: response.count)
        let truncated = ids.count > maxLength
        if truncated {
            ids.removeLast(ids.count - maxLength)
            flags.removeLast(flags.count - maxLength)
        }
        return TokenizedExample(inputIDs: ids, isResponse: flags, truncated: truncated)
    }
}
