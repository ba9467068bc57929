import Foundation

/// A fresh private directory under the system's temporary directory, removed with its
/// contents when the value is released.
public final class TemporaryDirectory: Sendable {
    public let path: String

    /// Creates `<tmp>/vigil-<label>-<uuid>` (mode 0700).
    public init(_ label: String = "test") throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// `path/name`.
    public func file(_ name: String) -> String { path + "/" + name }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
