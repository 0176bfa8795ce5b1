import Tokenizers

/// How `/v1/chat/completions` turns messages into one prompt. These are the formats of
/// `forgetbench mask --chat-format` (Masking's `ChatFormat`), so a model fine-tuned on a masked set
/// is prompted the way it was trained.
///
/// - `plain` (tokenizers without chat tokens, e.g. llama2.c's): the messages' contents joined by
///   `"\n"`, roles dropped, encoded with BOS; the reply is generated right after the last content
///   (no separator is added). `[system "Be brief.", user "Hi"]` -> `"Be brief.\nHi"`.
/// - `chatml` (the tokenizer knows `<|im_start|>`): `<|im_start|>ROLE\nCONTENT<|im_end|>\n` per
///   message, then `<|im_start|>assistant\n`.
/// - `llama3` (the tokenizer knows `<|start_header_id|>`): `<|begin_of_text|>`, then
///   `<|start_header_id|>ROLE<|end_header_id|>\n\nCONTENT<|eot_id|>` per message, then
///   `<|start_header_id|>assistant<|end_header_id|>\n\n`.
public enum ChatPromptFormat: String, Sendable {
    case plain, chatml, llama3

    /// The format for `tokenizer`: `llama3`, else `chatml`, else `plain`.
    public static func resolved(for tokenizer: any Tokenizer) -> ChatPromptFormat {
        if tokenizer.id(for: "<|start_header_id|>") != nil { return .llama3 }
        if tokenizer.id(for: "<|im_start|>") != nil { return .chatml }
        return .plain
    }

    /// The prompt text for `messages` (`role`, `content` pairs).
    public func prompt(_ messages: [(role: String, content: String)]) -> String {
        switch self {
        case .plain:
            return messages.map(\.content).joined(separator: "\n")
        case .chatml:
            return messages.map { "<|im_start|>\($0.role)\n\($0.content)<|im_end|>\n" }.joined() + "<|im_start|>assistant\n"
        case .llama3:
            return "<|begin_of_text|>" + messages.map { "<|start_header_id|>\($0.role)<|end_header_id|>\n\n\($0.content)<|eot_id|>" }.joined()
                + "<|start_header_id|>assistant<|end_header_id|>\n\n"
        }
    }

    /// The prompt's tokens (BOS added by the tokenizer for `plain` and `chatml`; `llama3` writes
    /// its own `<|begin_of_text|>`).
    public func encode(_ prompt: String, tokenizer: any Tokenizer) -> [Int] {
        tokenizer.encode(prompt, addSpecialTokens: self != .llama3)
    }
}
