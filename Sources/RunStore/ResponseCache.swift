import Foundation
import GRDB

/// A durable cache of model outputs in one SQLite file (through GRDB), keyed by the model's
/// identity, the request type and the sha256 of the request.
///
/// The file is opened in WAL mode with a busy timeout, so several processes (two `forgetbench`
/// runs sharing `--cache`) read and write it at once without corrupting it; each batch of
/// answers is stored in one transaction, so a process killed mid-batch leaves either all of it
/// or none.
public final class ResponseCache: Sendable {
    /// Where the database lives.
    public let url: URL
    private let pool: DatabasePool

    /// Opens (creating when needed) the cache at `url`.
    /// - Throws: ``RunStoreError/unusable(path:reason:)`` when the file cannot be opened or is not a cache.
    public init(url: URL) throws {
        self.url = url
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(60)
            configuration.label = "forgetbench.responses"
            pool = try DatabasePool(path: url.path, configuration: configuration)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS response (
                        model TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        request TEXT NOT NULL,
                        body BLOB NOT NULL,
                        created REAL NOT NULL,
                        PRIMARY KEY (model, kind, request)
                    ) WITHOUT ROWID
                    """)
            }
            try migrator.migrate(pool)
        } catch {
            throw RunStoreError.unusable(path: url.path, reason: Self.describe(error))
        }
    }

    /// The stored bodies among `requests` (request hashes) for `model` and `kind`, by request hash.
    public func lookup(model: String, kind: String, requests: [String]) async throws -> [String: Data] {
        guard !requests.isEmpty else { return [:] }
        do {
            return try await pool.read { db in
                var found: [String: Data] = [:]
                // SQLite limits the number of bound parameters; ask in slices.
                var start = 0
                while start < requests.count {
                    let slice = requests[start ..< min(start + 500, requests.count)]
                    let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                    let rows = try Row.fetchAll(db, sql: "SELECT request, body FROM response WHERE model = ? AND kind = ? AND request IN (\(marks))",
                                                arguments: StatementArguments([model, kind] + Array(slice)))
                    for row in rows { found[row["request"]] = row["body"] as Data }
                    start += slice.count
                }
                return found
            }
        } catch {
            throw RunStoreError.unusable(path: url.path, reason: Self.describe(error))
        }
    }

    /// Stores `entries` (request hash, body) for `model` and `kind` in one transaction; an
    /// entry already there is kept (the same request gives the same answer).
    public func store(model: String, kind: String, entries: [(request: String, body: Data)]) async throws {
        guard !entries.isEmpty else { return }
        let now = Date().timeIntervalSince1970
        do {
            try await pool.write { db in
                let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO response (model, kind, request, body, created) VALUES (?, ?, ?, ?, ?)")
                for entry in entries {
                    try statement.execute(arguments: [model, kind, entry.request, entry.body, now])
                }
            }
        } catch {
            throw RunStoreError.unusable(path: url.path, reason: Self.describe(error))
        }
    }

    /// Number of stored answers (all models), or for one model.
    public func count(model: String? = nil) async throws -> Int {
        try await pool.read { db in
            if let model {
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM response WHERE model = ?", arguments: [model]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM response") ?? 0
        }
    }

    /// SQLite's own consistency check: "ok" for a sound file.
    public func integrityCheck() async throws -> String {
        try await pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? e.description }
        return String(describing: error)
    }
}
