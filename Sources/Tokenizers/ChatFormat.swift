/// How a conversation becomes text (`--chat-format`).
///
/// - `template`: the model's own chat template (`chat_template` in `tokenizer_config.json`, or
///   `chat_template.jinja`), rendered as transformers' `apply_chat_template` renders it; an error
///   when the model has none.
/// - `auto`: `template` when the model has one, else `plain` (said once on standard error), so a
///   base model is never given a chat format it was not trained with.
/// - `plain`: the prompt turns' texts joined by `"\n"`, then the response. BOS as the tokenizer adds
///   it; after the response the tokenizer's EOS (its smallest EOS id) when it has one.
/// - `chatml`: `<|im_start|>role\ncontent<|im_end|>\n` per prompt turn, then
///   `<|im_start|>assistant\n`; the response is its text followed by `<|im_end|>`. BOS only if the
///   tokenizer's post-processor adds one.
/// - `llama3`: `<|begin_of_text|>`, then `<|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>`
///   per prompt turn and `<|start_header_id|>assistant<|end_header_id|>\n\n`; the response is its
///   text followed by `<|eot_id|>`.
///
/// `plain`, `chatml` and `llama3` are fallbacks for models without a template. Note: llama2.c
/// checkpoints (stories260K) separate stories with BOS and never predict their EOS (2), so under
/// `plain` that appended EOS gets a very high perplexity there and STM drops it; pass
/// `{"prompt_ids", "response_ids"}` lines to control the sequence exactly.
public enum ChatFormat: String, CaseIterable, Codable, Sendable {
    case auto, template, plain, chatml, llama3

    /// Special tokens the format writes literally; the tokenizer must know each.
    var requiredSpecialTokens: [String] {
        switch self {
        case .auto, .template, .plain: return []
        case .chatml: return ["<|im_start|>", "<|im_end|>"]
        case .llama3: return ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
        }
    }
}
