/// Why the state could not be opened, read or written. The cause is kept: a replayed push
/// is ``duplicatePush(id:)``, not a database failure to re-query.
public enum StateError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotCreateDirectory(String, String)
    /// The database refused or failed (the message is the driver's).
    case database(String)
    case corruptRecord(source: String, key: String)
    /// A push with this `webhook-id` was already applied: nothing was changed.
    case duplicatePush(id: String)

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let why): "cannot create state directory \(path): \(why)"
        case .database(let why): "state database: \(why)"
        case .corruptRecord(let source, let key): "stored record \(key) of source \(source) cannot be read"
        case .duplicatePush(let id): "a push with webhook-id \(id) was already applied"
        }
    }
}
