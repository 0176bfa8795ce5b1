import Tokenizers

/// How a prompt and a response become one token sequence.
///
/// - `plain`: the prompt turns' texts joined by `"\n"`, then the response. BOS as the tokenizer adds
///   it (`encode(prompt, addSpecialTokens: true)`); after the response the tokenizer's EOS (its
///   smallest EOS id) when it has one.
/// - `chatml`: `<|im_start|>role\ncontent<|im_end|>\n` per prompt turn, then
///   `<|im_start|>assistant\n`; the response is its text followed by `<|im_end|>`. BOS only if the
///   tokenizer's post-processor adds one.
/// - `llama3`: `<|begin_of_text|>`, then `<|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>`
///   per prompt turn and `<|start_header_id|>assistant<|end_header_id|>\n\n`; the response is its
///   text followed by `<|eot_id|>`.
/// - `auto`: `llama3` if the tokenizer has `<|start_header_id|>`, else `chatml` if it has
///   `<|im_start|>`, else `plain`.
///
/// Note: llama2.c checkpoints (stories260K) separate stories with BOS and never predict their EOS (2),
/// so under `plain` that appended EOS gets a very high perplexity there and STM drops it; pass
/// `{"prompt_ids", "response_ids"}` lines to control the sequence exactly.
///
/// The end-of-turn token (EOS, `<|im_end|>`, `<|eot_id|>`) belongs to the response, so a tuned
/// model learns to stop.
public enum ChatFormat: String, CaseIterable, Codable, Sendable {
    case auto, plain, chatml, llama3

    /// The concrete format for `tokenizer` (`auto` resolved; others returned as they are).
    public func resolved(for tokenizer: any Tokenizer) -> ChatFormat {
        guard self == .auto else { return self }
        if tokenizer.id(for: "<|start_header_id|>") != nil { return .llama3 }
        if tokenizer.id(for: "<|im_start|>") != nil { return .chatml }
        return .plain
    }

    /// Special tokens the format writes literally; the tokenizer must know each.
    var requiredSpecialTokens: [String] {
        switch self {
        case .auto, .plain: return []
        case .chatml: return ["<|im_start|>", "<|im_end|>"]
        case .llama3: return ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
        }
    }
}
