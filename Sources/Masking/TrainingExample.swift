/// One supervised fine-tuning example: the prompt turns and the response to train on.
public struct TrainingExample: Hashable, Sendable {
    /// What the example holds.
    public enum Content: Hashable, Sendable {
        /// Text turns: `prompt` (every turn before the response) and the response text, formatted
        /// with a ``ChatFormat``.
        case text(prompt: [ChatMessage], response: String)
        /// Token ids used exactly as given (no chat format, no BOS or EOS added).
        case tokens(prompt: [Int], response: [Int])
    }

    public var content: Content
    /// The input line's `"id"` (a string or number, as text), if it had one.
    public var id: String?
    /// 1-based line of the input file, for error messages (0 when not from a file).
    public var line: Int
    /// The line's `"tools"` (function definitions a tool-use chat template renders), as JSON text
    /// with its key order kept; nil when the line has none.
    public var tools: String?

    public init(content: Content, id: String? = nil, line: Int = 0) {
        self.content = content
        self.id = id
        self.line = line
    }

    /// A single-turn example: `prompt` as one user message.
    public init(prompt: String, response: String, id: String? = nil) {
        self.init(content: .text(prompt: [ChatMessage(role: "user", content: prompt)], response: response), id: id)
    }
}
