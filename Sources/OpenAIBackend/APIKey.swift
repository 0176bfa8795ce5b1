/// A bearer token for an OpenAI-compatible server.
///
/// The value is sent only in the `Authorization: Bearer` header. Every textual form of an
/// `APIKey` (`description`, `debugDescription`, reflection) is redacted, so printing settings,
/// errors or results can never reveal it.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself; read it only to build the request header.
    let value: String

    /// Wraps `value` (as read from the environment variable the user named).
    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    /// The `Authorization` header value.
    var authorizationHeader: String { "Bearer \(value)" }
}
