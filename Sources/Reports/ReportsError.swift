/// Errors thrown by the report writers.
public enum ReportsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The report could not be written to `path`; `reason` is the underlying system error.
    case writeFailed(path: String, reason: String)

    /// A one-line explanation that names the file.
    public var description: String {
        switch self {
        case let .writeFailed(path, reason):
            return "could not write report to \(path): \(reason)"
        }
    }
}
