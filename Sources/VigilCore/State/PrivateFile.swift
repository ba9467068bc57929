import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A small JSON document of string values kept in the state directory, readable by its
/// owner only: an output's session (a Matrix access token obtained by login, room ids it
/// created). Written atomically: a crash leaves the old version or the new one.
public struct PrivateFile: Sendable {
    public let path: String

    public init(directory: String, name: String) {
        path = directory + "/" + name
    }

    public func read() -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path),
            let value = try? JSONParser.parse(Array(data)), case .object(let members) = value.kind
        else { return [:] }
        var values: [String: String] = [:]
        for member in members { values[member.key] = member.value.scalarText }
        return values
    }

    public func write(_ values: [String: String]) throws {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission) }
        let bytes = Array(JSONWriter.object(values).utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown)
        }
    }
}
