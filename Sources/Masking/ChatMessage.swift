/// One turn of a conversation: a role (`system`, `user`, `assistant`, ...) and its text.
public struct ChatMessage: Codable, Hashable, Sendable {
    /// The speaker, as written in the chat template (`user`, `assistant`, `system`, ...).
    public var role: String
    /// The turn's text.
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}
