/// An email address checked before it reaches curl or a header: ASCII `local@domain` with a
/// dot-atom local part and a host name domain. Anything that could smuggle a line break, a
/// second address or an SMTP parameter is refused.
public struct MailAddress: Sendable, Equatable, CustomStringConvertible {
    public let address: String

    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count <= 254, let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return nil }
        let local = bytes[..<at]
        let domain = bytes[(at + 1)...]
        guard Self.isDotAtom(local, allowed: Self.isAtomText), local.count <= 64,
            Self.isDotAtom(domain, allowed: { Self.isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }),
            domain.count <= 253, domain.contains(UInt8(ascii: ".")) || domain.elementsEqual("localhost".utf8)
        else { return nil }
        address = text
    }

    public var description: String { address }

    /// The part after `@`.
    /// The part before the last `@`.
    public var local: String {
        address.lastIndex(of: "@").map { String(address[..<$0]) } ?? address
    }

    public var domain: String {
        String(address[address.index(after: address.lastIndex(of: "@") ?? address.startIndex)...])
    }

    private static func isDotAtom(_ bytes: ArraySlice<UInt8>, allowed: (UInt8) -> Bool) -> Bool {
        guard let first = bytes.first, let last = bytes.last, first != UInt8(ascii: "."), last != UInt8(ascii: ".")
        else {
            return false
        }
        var previousDot = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if previousDot { return false }
                previousDot = true
            } else {
                guard allowed(byte) else { return false }
                previousDot = false
            }
        }
        return true
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    private static func isAtomText(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
    }
}
