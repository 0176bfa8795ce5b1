/// What running one untrusted query on a read-only database gave.
public enum SQLQueryOutcome: Hashable, Sendable {
    /// The query ran to completion; its rows, each value in canonical form (``SQLValue``).
    case rows([[SQLValue]])
    /// The query was refused before it ran: it would write, attach a database, change a setting,
    /// load an extension, or is not a single statement. The text says which.
    case refused(String)
    /// It ran past the time limit (``SQLExecutionLimits/timeLimit``) and was interrupted.
    case timedOut
    /// It produced more rows than ``SQLExecutionLimits/maxRows``.
    case rowLimit
    /// SQLite rejected it (a syntax error, an unknown column): SQLite's message.
    case error(String)

    /// A short name for sample records: `rows`, `refused`, `timeout`, `row_limit`, `error`.
    public var kind: String {
        switch self {
        case .rows: return "rows"
        case .refused: return "refused"
        case .timedOut: return "timeout"
        case .rowLimit: return "row_limit"
        case .error: return "error"
        }
    }

    /// The rows when the query completed, else nil.
    public var rows: [[SQLValue]]? {
        if case let .rows(r) = self { return r }
        return nil
    }
}
