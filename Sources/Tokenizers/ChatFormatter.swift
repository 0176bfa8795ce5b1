import Foundation
import Jinja

/// The one place a conversation becomes tokens: training examples (`mask`, the data regimes),
/// prompts for generation (`serve`'s chat completions, chat-style evaluation, `self-output`).
///
/// With a chat template the text is what transformers' `apply_chat_template` renders and the
/// tokens are those of `apply_chat_template(..., tokenize=True)`: the rendered text encoded without
/// adding special tokens, since the template writes its own BOS. A training example follows the
/// paper's collator (appier-research/robust-llm-finetunes `collate_fn.py`): the conversation with
/// the response is rendered and tokenized, the prompt is rendered with `add_generation_prompt` and
/// tokenized, and the response starts at the prompt's token count. This type also checks what the
/// collator assumes: that the prompt's text and tokens are a prefix of the conversation's.
public struct ChatFormatter: Sendable {
    public let tokenizer: any Tokenizer
    /// The concrete format: `template`, `plain`, `chatml` or `llama3` (never `auto`).
    public let format: ChatFormat
    /// The template, for `template`.
    public let template: ChatTemplate?
    /// What `auto` decided when the model has no template, to show once.
    public let notice: String?
    /// The instant `strftime_now` reads (templates that print today's date, as Llama 3.2 and
    /// gpt-oss do): `SOURCE_DATE_EPOCH` when set, for reproducible masked sets, else now.
    public let now: Date

    /// Resolves `format` for a tokenizer and the directory that holds its `tokenizer_config.json`.
    /// - Throws: ``ChatFormatError`` when `template` is asked for and there is none, when the
    ///   tokenizer lacks a fallback format's special tokens, or when the template does not compile.
    public init(format: ChatFormat, tokenizer: any Tokenizer, templateDirectory: URL?, now: Date? = nil) throws {
        self.tokenizer = tokenizer
        self.now = now ?? ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)) ?? Date()
        var template: ChatTemplate? = nil
        if format == .auto || format == .template, let templateDirectory {
            do {
                template = try ChatTemplate.load(directory: templateDirectory)
            } catch {
                throw ChatFormatError(String(describing: error))
            }
        }
        switch format {
        case .template:
            guard let template else {
                let place = templateDirectory?.path ?? "this model"
                throw ChatFormatError("--chat-format template: \(place) has no chat template (no chat_template in tokenizer_config.json, no chat_template.jinja); use --chat-format auto, plain, chatml or llama3")
            }
            self.format = .template
            self.template = template
            notice = nil
        case .auto:
            self.template = template
            self.format = template == nil ? .plain : .template
            notice = template == nil
                ? "\(templateDirectory?.path ?? "the model") has no chat template; --chat-format auto formats conversations as plain text"
                : nil
        default:
            let missing = format.requiredSpecialTokens.filter { tokenizer.id(for: $0) == nil }
            guard missing.isEmpty else {
                throw ChatFormatError("chat format \(format.rawValue) needs the special tokens \(missing.joined(separator: ", ")), which the tokenizer does not have (use --chat-format plain)")
            }
            self.format = format
            self.template = nil
            notice = nil
        }
    }

    /// A conversation's tokens up to where the assistant's reply starts.
    public func prompt(_ turns: [(role: String, content: String)]) throws -> (text: String, ids: [Int]) {
        try prompt(messages: turns.map { .dict(Dict([("role", .string($0.role)), ("content", .string($0.content))])) })
    }

    /// The same for whole messages (`tool_calls`, `name`, ... reach the template; the fallback
    /// formats read `role` and `content`) and the request's `tools`.
    public func prompt(messages: [Value], tools: Value? = nil) throws -> (text: String, ids: [Int]) {
        if format == .template {
            guard let template else { throw ChatFormatError("no chat template") }
            let text: String
            do {
                text = try template.render(messages: messages, addGenerationPrompt: true, tools: tools, now: now)
            } catch {
                throw ChatFormatError(String(describing: error))
            }
            let ids = tokenizer.encode(text, addSpecialTokens: false)
            try checkSingleBOS(ids)
            return (text, ids)
        }
        if tools != nil {
            throw ChatFormatError("the request has tools, which only a chat template can render (chat format \(format.rawValue))")
        }
        let turns = messages.map { message -> (role: String, content: String) in
            guard case .dict(let fields) = message else { return ("user", message.pythonStr) }
            return (fields["role"]?.pythonStr ?? "user", fields["content"]?.pythonStr ?? "")
        }
        switch format {
        case .chatml:
            let text = turns.map { "<|im_start|>\($0.role)\n\($0.content)<|im_end|>\n" }.joined() + "<|im_start|>assistant\n"
            return (text, tokenizer.encode(text, addSpecialTokens: true))
        case .llama3:
            let text = "<|begin_of_text|>" + turns.map { "<|start_header_id|>\($0.role)<|end_header_id|>\n\n\($0.content)<|eot_id|>" }.joined()
                + "<|start_header_id|>assistant<|end_header_id|>\n\n"
            return (text, tokenizer.encode(text, addSpecialTokens: false))
        default:  // plain (`auto` and `template` never reach here)
            let text = turns.map(\.content).joined(separator: "\n")
            return (text, tokenizer.encode(text, addSpecialTokens: true))
        }
    }

    /// A training example: prompt tokens, response tokens (the reply and what the format writes
    /// after it), and how many of the response's last tokens are that end of turn
    /// (`<|eot_id|>`, `<|im_end|>\n`, EOS), so a caller can leave them out of the loss.
    public func example(_ turns: [(role: String, content: String)], response: String, tools: Value? = nil) throws -> FormattedExample {
        if tools != nil && format != .template {
            throw ChatFormatError("the example has \"tools\", which only a chat template can render (chat format \(format.rawValue))")
        }
        switch format {
        case .template:
            return try templatedExample(turns, response: response, tools: tools)
        case .chatml:
            let reply = tokenizer.encode(response, addSpecialTokens: false)
            return FormattedExample(prompt: try prompt(turns).ids, response: reply + [tokenizer.id(for: "<|im_end|>")!], endOfTurnCount: 1)
        case .llama3:
            let reply = tokenizer.encode(response, addSpecialTokens: false)
            return FormattedExample(prompt: try prompt(turns).ids, response: reply + [tokenizer.id(for: "<|eot_id|>")!], endOfTurnCount: 1)
        case .auto, .plain:
            var reply = tokenizer.encode(response, addSpecialTokens: false)
            var endOfTurn = 0
            if let eos = tokenizer.eosTokenIDs.min() {
                reply.append(eos)
                endOfTurn = 1
            }
            return FormattedExample(prompt: try prompt(turns).ids, response: reply, endOfTurnCount: endOfTurn)
        }
    }

    private func render(_ turns: [(role: String, content: String)], addGenerationPrompt: Bool, tools: Value? = nil) throws -> String {
        guard let template else { throw ChatFormatError("no chat template") }
        let messages: [Value] = turns.map { .dict(Dict([("role", .string($0.role)), ("content", .string($0.content))])) }
        do {
            return try template.render(messages: messages, addGenerationPrompt: addGenerationPrompt, tools: tools, now: now)
        } catch {
            throw ChatFormatError(String(describing: error))
        }
    }

    private func templatedExample(_ turns: [(role: String, content: String)], response: String, tools: Value?) throws -> FormattedExample {
        let promptText = try render(turns, addGenerationPrompt: true, tools: tools)
        let fullText = try render(turns + [(role: "assistant", content: response)], addGenerationPrompt: false, tools: tools)
        guard fullText.unicodeScalars.starts(with: promptText.unicodeScalars) else {
            throw ChatFormatError("the chat template renders the prompt differently once the response is added (it rewrites earlier turns, as some reasoning templates do), so no prompt/response boundary exists; prompt ends \(String(promptText.suffix(40)).debugDescription)")
        }
        let promptIDs = tokenizer.encode(promptText, addSpecialTokens: false)
        let fullIDs = tokenizer.encode(fullText, addSpecialTokens: false)
        try checkSingleBOS(fullIDs)
        guard fullIDs.starts(with: promptIDs) else {
            throw ChatFormatError("the prompt's tokens are not a prefix of the conversation's tokens: the response's first characters \(String(response.prefix(12)).debugDescription) merge with the prompt's last token, so the boundary falls inside a token")
        }
        let responseIDs = Array(fullIDs[promptIDs.count...])
        // The end of turn: the tokens after the reply's own text, when the reply is rendered as given.
        var endOfTurn = 0
        let replyText = promptText + response
        if fullText.unicodeScalars.starts(with: replyText.unicodeScalars) {
            let replyIDs = tokenizer.encode(replyText, addSpecialTokens: false)
            if fullIDs.starts(with: replyIDs) { endOfTurn = fullIDs.count - replyIDs.count }
        }
        return FormattedExample(prompt: promptIDs, response: responseIDs, endOfTurnCount: endOfTurn)
    }

    /// The doubled-BOS guard: a sequence never starts with two BOS tokens.
    private func checkSingleBOS(_ ids: [Int]) throws {
        guard let bos = tokenizer.bosTokenID, ids.count >= 2, ids[0] == bos, ids[1] == bos else { return }
        throw ChatFormatError("the sequence starts with two BOS tokens (\(tokenizer.piece(for: bos) ?? String(bos))); the template writes one and the text was tokenized with another")
    }
}

/// One formatted training example.
public struct FormattedExample: Sendable, Equatable {
    public var prompt: [Int]
    public var response: [Int]
    /// How many of `response`'s last tokens close the turn rather than say the reply.
    public var endOfTurnCount: Int

    public init(prompt: [Int], response: [Int], endOfTurnCount: Int) {
        self.prompt = prompt
        self.response = response
        self.endOfTurnCount = endOfTurnCount
    }
}

/// A conversation could not be formatted; the message says why and what to do.
public struct ChatFormatError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
