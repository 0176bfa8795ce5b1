import Foundation
import Jinja
import Tokenizers

/// Turns ``TrainingExample``s into ``TokenizedExample``s with a ``ChatFormatter``.
///
/// With the model's chat template, the tokens are `apply_chat_template`'s and the response starts
/// at the prompt's token count, as the paper's collator finds it (the formatter checks that the
/// prompt is a token-aligned prefix). With the fallback formats the prompt part and the response
/// text are tokenized separately and concatenated, so the boundary falls exactly between two
/// tokens. With SentencePiece-style tokenizers that add a dummy-prefix space (llama2.c), the
/// response text is therefore tokenized as if it started a new word.
public struct ExampleTokenizer: Sendable {
    public let formatter: ChatFormatter
    /// Longest sequence kept; longer ones are cut from the end (prompt first, response truncated).
    public let maxLength: Int
    /// Whether the end-of-turn tokens after the reply (`<|eot_id|>`, `<|im_end|>`, EOS) are
    /// trained on (the default, as the paper's collator does: the model learns to stop).
    public let trainOnEndOfTurn: Bool

    public var tokenizer: any Tokenizer { formatter.tokenizer }
    /// The concrete format (never `auto`).
    public var format: ChatFormat { formatter.format }

    /// - Throws: ``MaskingError/badOption(_:)`` when the format cannot be used with this tokenizer
    ///   (missing special tokens, no template) or when `maxLength < 2`.
    public init(tokenizer: any Tokenizer, format: ChatFormat, maxLength: Int, templateDirectory: URL? = nil,
                trainOnEndOfTurn: Bool = true) throws {
        do {
            formatter = try ChatFormatter(format: format, tokenizer: tokenizer, templateDirectory: templateDirectory)
        } catch let error as ChatFormatError {
            throw MaskingError.badOption(error.message)
        }
        guard maxLength >= 2 else { throw MaskingError.badOption("--max-seq-len must be at least 2 (got \(maxLength))") }
        self.maxLength = maxLength
        self.trainOnEndOfTurn = trainOnEndOfTurn
    }

    /// The prompt and response token ids of `example`, before truncation, and how many of the
    /// response's last tokens close the turn.
    /// - Throws: ``ChatFormatError`` when the template cannot give a boundary for this example.
    public func parts(_ example: TrainingExample) throws -> FormattedExample {
        switch example.content {
        case let .tokens(prompt, response):
            return FormattedExample(prompt: prompt, response: response, endOfTurnCount: 0)
        case let .text(turns, response):
            let tools = try example.tools.map { text -> Value in
                do { return try PythonJSON.value(from: text) } catch { throw ChatFormatError("\"tools\" is not valid JSON (\(error))") }
            }
            return try formatter.example(turns.map { (role: $0.role, content: $0.content) }, response: response, tools: tools)
        }
    }

    /// The labelled token sequence of `example`, cut to ``maxLength`` tokens from the end.
    public func tokenize(_ example: TrainingExample) throws -> TokenizedExample {
        let parts = try parts(example)
        var ids = parts.prompt + parts.response
        let trained = parts.response.count - (trainOnEndOfTurn ? 0 : parts.endOfTurnCount)
        var flags = [Bool](repeating: false, count: parts.prompt.count) + [Bool](repeating: true, count: trained)
            + [Bool](repeating: false, count: parts.response.count - trained)
        let truncated = ids.count > maxLength
        if truncated {
            ids.removeLast(ids.count - maxLength)
            flags.removeLast(flags.count - maxLength)
        }
        return TokenizedExample(inputIDs: ids, isResponse: flags, truncated: truncated)
    }
}
