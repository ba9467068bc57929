import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive, non-blocking lock on `vigil.lock` in the state directory, so overlapping
/// runs (cron firing while the previous run is still working) step aside instead of
/// double-sending. The kernel releases it when the process exits, even on SIGKILL.
public final class RunLock: Sendable {
    /// Why the lock was not taken.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// Another process holds it; `holder` is the pid it wrote, when readable.
        case held(holder: String?)
        case cannotOpen(String, String)

        public var description: String {
            switch self {
            case .held(let holder?): "another vigil run (pid \(holder)) holds the lock; not running"
            case .held(nil): "another vigil run holds the lock; not running"
            case .cannotOpen(let path, let why): "cannot open lock file \(path): \(why)"
            }
        }
    }

    private let descriptor: Int32

    /// Takes the lock or fails at once; never waits.
    public init(directory: String) throws(Failure) {
        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = directory + "/vigil.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .cannotOpen(path, String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(descriptor, &buffer, buffer.count, 0)
            close(descriptor)
            let holder =
                count > 0
                ? String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                : nil
            throw .held(holder: holder?.isEmpty == false ? holder : nil)
        }
        self.descriptor = descriptor
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pwrite(descriptor, pid, pid.count, 0)
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

extension RunLock {
    /// Runs `body` holding the lock of `directory`, released when `body` returns or throws:
    /// the lock's lifetime is the scope, not a variable's. Throws ``Failure`` without running
    /// `body` when another run holds it.
    public static func withLock<T>(directory: String, _ body: () async throws -> T) async throws -> T {
        let lock = try RunLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        return try await body()
    }
}
