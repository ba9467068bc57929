import HummingbirdBcrypt

/// Team passwords: hashed with bcrypt, never stored or logged as typed.
public enum ConsolePasswords {
    /// bcrypt's work factor: about a quarter of a second per check on a small server, so a
    /// stolen state file costs an attacker that much per guess.
    public static let cost: UInt8 = 12

    /// Why a password is refused.
    public enum Weakness: Error, Sendable, CustomStringConvertible {
        case tooShort(Int)
        case tooLong

        public var description: String {
            switch self {
            case .tooShort(let minimum): "a password needs at least \(minimum) characters"
            case .tooLong: "bcrypt reads at most 72 bytes of a password; choose a shorter one"
            }
        }
    }

    public static let minimumLength = 10

    /// The hash to store for `password`.
    public static func hash(_ password: String) throws(Weakness) -> String {
        guard password.count >= minimumLength else { throw .tooShort(minimumLength) }
        guard password.utf8.count <= 72 else { throw .tooLong }
        return Bcrypt.hash(password, cost: cost)
    }

    /// True when `password` is the one `hash` was made from.
    public static func verify(_ password: String, hash: String) -> Bool {
        guard password.utf8.count <= 72, hash.hasPrefix("$2") else { return false }
        return Bcrypt.verify(password, hash: hash)
    }
}
