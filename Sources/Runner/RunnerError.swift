/// A problem the runner found in what it was given; the description is one line.
public enum RunnerError: Error, CustomStringConvertible, Sendable {
    case invalid(String)
    public var description: String {
        switch self {
        case .invalid(let s): return s
        }
    }
}
