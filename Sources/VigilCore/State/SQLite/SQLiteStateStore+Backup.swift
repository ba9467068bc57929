import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

extension SQLiteStateStore {
    /// What a backup wrote: where, how large, and the copy's own integrity check.
    public struct BackupReport: Sendable {
        public var path: String
        public var bytes: Int
        public var pages: Int
    }

    /// Copies the whole state into a new SQLite file at `destination` with SQLite's online
    /// backup: a consistent snapshot taken while runs or `vigil serve` keep writing. The copy
    /// is created readable by its owner only, never overwrites a file, and is checked with
    /// `PRAGMA integrity_check` before this returns.
    public func backup(to destination: String) throws(StateError) -> BackupReport {
        let descriptor = open(destination, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let why = errno == EEXIST ? "the file exists (a backup never overwrites)" : String(cString: strerror(errno))
            throw .database("cannot create backup \(destination): \(why)")
        }
        close(descriptor)
        do {
            let copy = try DatabaseQueue(path: destination)
            try pool.backup(to: copy)
            // One self-contained file: the copy leaves WAL mode, so no -wal/-shm travel with it.
            try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            let (check, pages) = try copy.read { db in
                (
                    try String.fetchAll(db, sql: "PRAGMA integrity_check"),
                    try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                )
            }
            try copy.close()
            guard check == ["ok"] else {
                throw StateError.database("the backup failed its integrity check: \(check.joined(separator: "; "))")
            }
            let size = ((try? FileManager.default.attributesOfItem(atPath: destination))?[.size] as? Int) ?? 0
            return BackupReport(path: destination, bytes: size, pages: pages)
        } catch let error as StateError {
            try? FileManager.default.removeItem(atPath: destination)
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: destination)
            throw .database("backup to \(destination): \(error)")
        }
    }
}
