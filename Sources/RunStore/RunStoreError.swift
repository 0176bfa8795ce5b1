/// Errors of the run store.
public enum RunStoreError: Error, CustomStringConvertible, Sendable {
    /// The cache file cannot be opened, read or written.
    case unusable(path: String, reason: String)
    /// A stored answer does not decode as the request type's response.
    case corrupt(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unusable(path, reason): return "\(path): the response cache cannot be used (\(reason))"
        case let .corrupt(path, reason): return "\(path): a cached response is unreadable (\(reason)); delete the cache file to rebuild it"
        }
    }
}
