import ArgumentParser
import Tokenizers

extension ChatFormat: ExpressibleByArgument {}

/// `--chat-format`, as every command that turns conversations into tokens takes it.
public struct ChatFormatOption: ParsableArguments {
    @Option(name: .customLong("chat-format"), help: ArgumentHelp(
        "How conversations become text: auto (the model's chat template, from chat_template.jinja or the chat_template of tokenizer_config.json beside the tokenizer, rendered as transformers' apply_chat_template; plain text when the model has none, said once), template (the model's, required), or the fallbacks plain, chatml, llama3.",
        valueName: "format"))
    public var chatFormat: ChatFormat = .auto

    public init() {}
}
