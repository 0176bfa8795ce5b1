import Foundation

/// A Hugging Face chat template, applied as transformers' `apply_chat_template` applies it.
///
/// The context: `messages` (after transformers 5's preprocessing: top-level keys whose value is
/// null are dropped, and a message with `reasoning_content`, `thinking` or `reasoning` gets both
/// `thinking` and `reasoning_content`), `tools` and `documents` (`none` when not given),
/// `add_generation_prompt`, the tokenizer's special tokens as strings (`bos_token`, `eos_token`,
/// ... only those it sets), then any extra keyword arguments (`enable_thinking`, `date_string`),
/// which override the special tokens. Globals: `raise_exception`, `strftime_now`, `namespace`,
/// `dict`, `range`.
public struct ChatTemplate: Sendable {
    public let template: Template
    /// The special tokens the template sees, by name (`bos_token` -> `<s>`).
    public let specialTokens: [String: String]
    /// Where the template came from (`.../tokenizer_config.json`), for messages.
    public let origin: String

    public static let specialTokenNames = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]

    public init(source: String, specialTokens: [String: String] = [:], origin: String = "chat template") throws {
        do {
            template = try Template(source)
        } catch let error as JinjaError {
            throw ChatTemplateError(origin: origin, error: error)
        }
        self.specialTokens = specialTokens
        self.origin = origin
    }

    public var source: String { template.source }

    /// The template of a model directory, as transformers finds it: `chat_template.jinja`, else the
    /// `chat_template` of `tokenizer_config.json` (a string, or named templates: `tool_use` when
    /// `tools` is set and there is one, else `default`). Nil when the model has none.
    public static func load(directory: URL, forTools: Bool = false) throws -> ChatTemplate? {
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        var specials: [String: String] = [:]
        var embedded: String? = nil
        if let data = try? Data(contentsOf: configURL) {
            guard let config = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw ChatTemplateError(origin: configURL.path, message: "not a JSON object")
            }
            for name in specialTokenNames {
                if let text = config[name] as? String { specials[name] = text }
                if let object = config[name] as? [String: Any], let text = object["content"] as? String { specials[name] = text }
            }
            switch config["chat_template"] {
            case let text as String:
                embedded = text
            case let named as [[String: Any]]:
                let templates = Dictionary(named.compactMap { entry -> (String, String)? in
                    guard let name = entry["name"] as? String, let text = entry["template"] as? String else { return nil }
                    return (name, text)
                }, uniquingKeysWith: { first, _ in first })
                embedded = (forTools ? templates["tool_use"] : nil) ?? templates["default"]
                if embedded == nil {
                    throw ChatTemplateError(origin: configURL.path, message: "named chat templates \(templates.keys.sorted()) hold no 'default'")
                }
            case nil, is NSNull:
                break
            default:
                throw ChatTemplateError(origin: configURL.path, message: "chat_template is neither a string nor a list of named templates")
            }
        }
        let fileURL = directory.appendingPathComponent("chat_template.jinja")
        if let text = try? String(contentsOf: fileURL, encoding: .utf8) {
            return try ChatTemplate(source: text, specialTokens: specials, origin: fileURL.path)
        }
        guard let embedded else { return nil }
        return try ChatTemplate(source: embedded, specialTokens: specials, origin: configURL.path)
    }

    /// The text of a conversation. `messages` are JSON-like dictionaries (`role`, `content`, and
    /// whatever else the template reads: `tool_calls`, `reasoning_content`, ...).
    public func render(messages: [Value], addGenerationPrompt: Bool, tools: Value? = nil, documents: Value? = nil,
                       extra: [String: Value] = [:], now: Date = Date(), limits: RenderLimits = .default) throws -> String {
        var context: [String: Value] = [:]
        for (name, text) in specialTokens { context[name] = .string(text) }
        for (name, value) in extra { context[name] = value }
        context["messages"] = .list(messages.map(Self.normalised))
        context["tools"] = tools ?? Value.none
        context["documents"] = documents ?? Value.none
        context["add_generation_prompt"] = .bool(addGenerationPrompt)
        var globals = Template.standardGlobals
        globals["raise_exception"] = .callable(Globals.raiseException)
        globals["strftime_now"] = .callable(Globals.strftimeNow(at: now))
        do {
            return try template.render(context, globals: globals, limits: limits)
        } catch let error as JinjaError {
            throw ChatTemplateError(origin: origin, error: error)
        }
    }

    /// `role`/`content` pairs as messages.
    public func render(_ turns: [(role: String, content: String)], addGenerationPrompt: Bool,
                       extra: [String: Value] = [:], now: Date = Date()) throws -> String {
        try render(messages: turns.map { .dict(Dict([("role", .string($0.role)), ("content", .string($0.content))])) },
                   addGenerationPrompt: addGenerationPrompt, extra: extra, now: now)
    }

    /// transformers 5's `_normalize_chat_messages`.
    static func normalised(_ message: Value) -> Value {
        guard case .dict(let dict) = message else { return message }
        var kept = Dict()
        for (key, value) in dict.pairs {
            if case .none = value { continue }
            kept[key] = value
        }
        guard let reasoning = ["reasoning_content", "thinking", "reasoning"].lazy.compactMap({ kept[$0] }).first else { return .dict(kept) }
        var out = Dict()
        out["thinking"] = reasoning
        for (key, value) in kept.pairs where !Operators.equal(key, .string("thinking")) { out[key] = value }
        out["thinking"] = reasoning
        out["reasoning_content"] = reasoning
        return .dict(out)
    }
}

/// A chat template failed to compile or render; names where the template came from and, for
/// errors inside it, the template's line and column.
public struct ChatTemplateError: Error, CustomStringConvertible, Sendable {
    public var origin: String
    /// The interpreter's error, when the failure is inside the template.
    public var error: JinjaError?
    public var message: String

    public init(origin: String, error: JinjaError) {
        self.origin = origin
        self.error = error
        self.message = error.message
    }

    public init(origin: String, message: String) {
        self.origin = origin
        self.message = message
    }

    public var description: String {
        guard let error else { return "\(origin): \(message)" }
        let place = error.line.map { ", template line \($0), column \(error.column ?? 1)" } ?? ""
        return "\(origin)\(place): \(error.kind.rawValue): \(error.message)"
    }
}
