import Foundation
import GRDBSQLite

/// A SQLite database file on which untrusted SQL (a model's answer) is run, read-only.
///
/// Every query gets its own connection, opened with the `mode=ro` URI and `SQLITE_OPEN_READONLY`,
/// with extension loading off, `PRAGMA query_only` on, an authorizer that allows nothing but
/// reading (`SELECT`, reading columns, calling functions other than `load_extension`, recursive
/// CTEs) and denies everything else (writes, `ATTACH`/`DETACH`, any `PRAGMA`, transactions,
/// schema changes), no attached databases and a cap on the size of one value
/// (`SQLITE_LIMIT_ATTACHED` 0, `SQLITE_LIMIT_LENGTH`), a deadline enforced by the progress
/// handler, and a cap on the rows read back. A refused, failed or interrupted query is an outcome, never a thrown error: the caller
/// scores it as failed. Safe to use from several threads (no shared connection).
public struct ReadOnlySQLDatabase: Sendable {
    /// The database file.
    public let path: String
    public let limits: SQLExecutionLimits

    /// Checks that `path` opens as a read-only SQLite database.
    /// - Throws: ``SQLExecutionError/cannotOpen(path:reason:)`` when it does not.
    public init(path: String, limits: SQLExecutionLimits = SQLExecutionLimits()) throws(SQLExecutionError) {
        self.path = path
        self.limits = limits
        let db = try Self.open(path)
        defer { sqlite3_close_v2(db) }
        // Reading the schema proves the file is a database (open alone is lazy).
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &stmt, nil)
        defer { sqlite3_finalize(stmt) }
        guard rc == SQLITE_OK, sqlite3_step(stmt) == SQLITE_ROW else {
            throw .cannotOpen(path: path, reason: String(cString: sqlite3_errmsg(db)))
        }
    }

    /// Runs one statement of untrusted SQL; see the type's description for the guards.
    public func run(_ sql: String) -> SQLQueryOutcome {
        let db: OpaquePointer
        do {
            db = try Self.open(path)
        } catch {
            return .error(error.description)
        }
        defer { sqlite3_close_v2(db) }
        sqlite3_enable_load_extension(db, 0)
        sqlite3_limit(db, SQLITE_LIMIT_LENGTH, limits.maxValueBytes)
        sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0)
        guard sqlite3_exec(db, "PRAGMA query_only = 1", nil, nil, nil) == SQLITE_OK else {
            return .error("cannot set query_only: \(String(cString: sqlite3_errmsg(db)))")
        }
        let state = QueryGuard(deadline: DispatchTime.now().uptimeNanoseconds + UInt64(max(0, limits.timeLimit) * 1e9))
        return withExtendedLifetime(state) {
            let context = Unmanaged.passUnretained(state).toOpaque()
            sqlite3_set_authorizer(db, { context, action, argument1, argument2, _, _ in
                let state = Unmanaged<QueryGuard>.fromOpaque(context!).takeUnretainedValue()
                return state.authorize(action: action, argument1: argument1.map { String(cString: $0) },
                                       argument2: argument2.map { String(cString: $0) })
            }, context)
            sqlite3_progress_handler(db, limits.progressInterval, { context in
                let state = Unmanaged<QueryGuard>.fromOpaque(context!).takeUnretainedValue()
                return state.pastDeadline() ? 1 : 0
            }, context)
            return execute(sql, db: db, state: state)
        }
    }

    func execute(_ sql: String, db: OpaquePointer, state: QueryGuard) -> SQLQueryOutcome {
        var stmt: OpaquePointer?
        var tailOffset = 0
        let rc = sql.withCString { base -> Int32 in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v2(db, base, -1, &stmt, &tail)
            if let tail { tailOffset = base.distance(to: tail) }
            return rc
        }
        defer { sqlite3_finalize(stmt) }
        if let refusal = state.refusal { return .refused(refusal) }
        guard rc == SQLITE_OK else { return .error(String(cString: sqlite3_errmsg(db))) }
        guard let stmt else { return .error("empty query") }
        let rest = sql.utf8.dropFirst(tailOffset)
        if rest.contains(where: { !($0 == UInt8(ascii: ";") || $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D)) }) {
            return .refused("more than one statement")
        }
        guard sqlite3_stmt_readonly(stmt) != 0 else { return .refused("the statement would write") }

        var rows: [[SQLValue]] = []
        let columns = sqlite3_column_count(stmt)
        while true {
            let step = sqlite3_step(stmt)
            if step == SQLITE_DONE { return .rows(rows) }
            if step != SQLITE_ROW {
                if state.timedOut || step == SQLITE_INTERRUPT { return .timedOut }
                if let refusal = state.refusal { return .refused(refusal) }
                return .error(String(cString: sqlite3_errmsg(db)))
            }
            if rows.count == limits.maxRows { return .rowLimit }
            rows.append((0 ..< columns).map { Self.value(stmt, $0) })
        }
    }

    static func value(_ stmt: OpaquePointer, _ column: Int32) -> SQLValue {
        switch sqlite3_column_type(stmt, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(stmt, column))
        case SQLITE_FLOAT: return .number(sqlite3_column_double(stmt, column))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(stmt, column) else { return .text("") }
            let count = Int(sqlite3_column_bytes(stmt, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(stmt, column))
            guard count > 0, let bytes = sqlite3_column_blob(stmt, column) else { return .blob("") }
            let buffer = UnsafeRawBufferPointer(start: bytes, count: count)
            return .blob(buffer.map { String(format: "%02x", $0) }.joined())
        default: return .null
        }
    }

    static func open(_ path: String) throws(SQLExecutionError) -> OpaquePointer {
        guard FileManager.default.fileExists(atPath: path) else { throw .cannotOpen(path: path, reason: "no such file") }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let encoded = absolute.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? absolute
        var db: OpaquePointer?
        let rc = sqlite3_open_v2("file:\(encoded)?mode=ro", &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let reason = db.map { String(cString: sqlite3_errmsg($0)) } ?? "SQLite error \(rc)"
            sqlite3_close_v2(db)
            throw .cannotOpen(path: path, reason: reason)
        }
        return db
    }
}

/// The per-query state the authorizer and progress handler share (one thread at a time: the
/// query's own).
final class QueryGuard {
    let deadline: UInt64
    /// Why the authorizer denied an action (the first denial).
    var refusal: String?
    var timedOut = false

    init(deadline: UInt64) { self.deadline = deadline }

    func pastDeadline() -> Bool {
        if DispatchTime.now().uptimeNanoseconds >= deadline { timedOut = true }
        return timedOut
    }

    /// SQLITE_OK for reading actions, SQLITE_DENY (recording why) for everything else.
    func authorize(action: Int32, argument1: String?, argument2: String?) -> Int32 {
        switch action {
        case SQLITE_SELECT, SQLITE_READ, SQLITE_RECURSIVE:
            return SQLITE_OK
        case SQLITE_FUNCTION:
            let name = (argument2 ?? "").lowercased()
            if name == "load_extension" {
                deny("loading an extension (load_extension)")
                return SQLITE_DENY
            }
            return SQLITE_OK
        default:
            deny(Self.describe(action: action, argument1: argument1, argument2: argument2))
            return SQLITE_DENY
        }
    }

    func deny(_ reason: String) {
        if refusal == nil { refusal = reason }
    }

    static func describe(action: Int32, argument1: String?, argument2: String?) -> String {
        if [SQLITE_INSERT, SQLITE_UPDATE, SQLITE_DELETE].contains(action), let table = argument1, table.hasPrefix("sqlite_") {
            return "changing the schema (a write to \(table))"
        }
        switch action {
        case SQLITE_INSERT: return "writing (INSERT into \(argument1 ?? "?"))"
        case SQLITE_UPDATE: return "writing (UPDATE of \(argument1 ?? "?"))"
        case SQLITE_DELETE: return "writing (DELETE from \(argument1 ?? "?"))"
        case SQLITE_ATTACH: return "attaching a database (ATTACH)"
        case SQLITE_DETACH: return "detaching a database (DETACH)"
        case SQLITE_PRAGMA: return "a PRAGMA (\(argument1 ?? "?")\(argument2.map { " = \($0)" } ?? ""))"
        case SQLITE_TRANSACTION: return "a transaction statement"
        case SQLITE_SAVEPOINT: return "a savepoint"
        case SQLITE_ALTER_TABLE: return "changing the schema (ALTER TABLE)"
        case SQLITE_ANALYZE: return "ANALYZE (writes statistics)"
        case SQLITE_REINDEX: return "REINDEX"
        case SQLITE_CREATE_TABLE, SQLITE_CREATE_INDEX, SQLITE_CREATE_VIEW, SQLITE_CREATE_TRIGGER, SQLITE_CREATE_VTABLE,
             SQLITE_CREATE_TEMP_TABLE, SQLITE_CREATE_TEMP_INDEX, SQLITE_CREATE_TEMP_VIEW, SQLITE_CREATE_TEMP_TRIGGER:
            return "changing the schema (CREATE)"
        case SQLITE_DROP_TABLE, SQLITE_DROP_INDEX, SQLITE_DROP_VIEW, SQLITE_DROP_TRIGGER, SQLITE_DROP_VTABLE,
             SQLITE_DROP_TEMP_TABLE, SQLITE_DROP_TEMP_INDEX, SQLITE_DROP_TEMP_VIEW, SQLITE_DROP_TEMP_TRIGGER:
            return "changing the schema (DROP)"
        default: return "an action other than reading (SQLite authorizer code \(action))"
        }
    }
}

/// Why a database could not be used.
public enum SQLExecutionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file is missing or not a SQLite database.
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "\(path): cannot open as a read-only SQLite database: \(reason)"
        }
    }
}
