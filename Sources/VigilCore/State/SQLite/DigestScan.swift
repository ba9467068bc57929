import GRDB
import GRDBSQLite

/// Reads a source's (key, digest) rows straight from SQLite's C API.
///
/// A steady run reads every stored record's digests — 100,000 rows for a large list —
/// before it can skip anything; decoding each through GRDB's `Row` costs about a
/// microsecond a row, stepping the statement and reading two columns a tenth of that.
enum DigestScan {
    /// Steps `sql` (selecting an integer digest, then a text key; rows with a NULL digest
    /// are passed over) with `arguments`, calling `row` for each.
    static func scan(
        _ db: Database, sql: String, arguments: StatementArguments, _ row: (Int64, String) -> Void
    ) throws {
        let statement = try db.cachedStatement(sql: sql)
        try statement.setArguments(arguments)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code),
                    message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            guard sqlite3_column_type(handle, 0) != SQLITE_NULL else { continue }
            let digest = sqlite3_column_int64(handle, 0)
            let count = Int(sqlite3_column_bytes(handle, 1))
            guard let text = sqlite3_column_text(handle, 1) else {
                row(digest, "")
                continue
            }
            row(digest, String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        }
    }
}
