/// Bounds on one untrusted query.
public struct SQLExecutionLimits: Hashable, Sendable {
    /// Wall-clock seconds a query may run before it is interrupted (checked by SQLite's progress
    /// handler every ``progressInterval`` virtual-machine steps). Default 2.
    public var timeLimit: Double
    /// Most rows read back; one more makes the outcome ``SQLQueryOutcome/rowLimit``. Default 10,000.
    public var maxRows: Int
    /// SQLite virtual-machine instructions between deadline checks. Default 1,000.
    public var progressInterval: Int32
    /// The largest string or blob a query may build, in bytes (`SQLITE_LIMIT_LENGTH`; SQLite's
    /// own default is 1e9, enough for `randomblob(1e9)` to take a gigabyte). Default 10 MB.
    public var maxValueBytes: Int32

    public init(timeLimit: Double = 2, maxRows: Int = 10_000, progressInterval: Int32 = 1_000, maxValueBytes: Int32 = 10_000_000) {
        self.timeLimit = timeLimit
        self.maxRows = maxRows
        self.progressInterval = progressInterval
        self.maxValueBytes = maxValueBytes
    }
}
