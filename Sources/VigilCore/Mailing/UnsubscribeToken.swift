import Crypto
import Foundation

/// An unsubscribe token: opaque, URL-safe, unforgeable without the mailing secret.
///
/// Twenty bytes in base64url (27 characters, so `List-Unsubscribe` never folds): a version
/// byte, the day the link was issued (2 bytes, days since 2020-01-01), the subscription's
/// number in the state (5 bytes), then the first 12 bytes of an HMAC-SHA256 over those 8
/// bytes. No address, name or list appears in it; the state maps the number to who and what.
public struct UnsubscribeToken: Sendable, Equatable {
    /// The stored subscription the token stands for.
    public var subscription: Int64
    /// The day it was issued (midnight UTC).
    public var issued: Date

    static let version: UInt8 = 1
    static let epoch = Date(timeIntervalSince1970: 1_577_836_800)  // 2020-01-01T00:00:00Z
    static let macLength = 12

    /// Why a token is refused; safe to show to whoever sent it.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed
        case forged
        case expired

        public var description: String {
            switch self {
            case .malformed: "this is not an unsubscribe link Vigil made"
            case .forged: "this unsubscribe link is not valid (it was altered, or made with another secret)"
            case .expired: "this unsubscribe link has expired; use the link in a recent message"
            }
        }
    }

    public init(subscription: Int64, issued: Date) {
        self.subscription = subscription
        let days = (issued.timeIntervalSince(Self.epoch) / 86_400).rounded(.down)
        self.issued = Self.epoch.addingTimeInterval(max(0, days) * 86_400)
    }

    /// The token's text, signed with `key`.
    public func encoded(key: [UInt8]) -> String {
        let days = UInt16(clamping: Int(issued.timeIntervalSince(Self.epoch) / 86_400))
        var payload: [UInt8] = [Self.version, UInt8(days >> 8), UInt8(days & 0xFF)]
        for shift in stride(from: 32, through: 0, by: -8) { payload.append(UInt8((subscription >> shift) & 0xFF)) }
        return Base64URL.encode(payload + Self.mac(payload, key: key))
    }

    /// Reads and checks a token: its signature first, then its age against `lifetime` at `now`.
    public static func verify(_ text: String, key: [UInt8], lifetime: Duration, at now: Date)
        throws(Refusal) -> UnsubscribeToken
    {
        guard text.utf8.count == 27, let bytes = Base64URL.decode(text), bytes.count == 20 else {
            throw .malformed
        }
        let payload = Array(bytes[0..<8])
        guard payload[0] == version else { throw .malformed }
        guard constantTimeEqual(mac(payload, key: key), bytes[8...]) else { throw .forged }
        let days = Int(payload[1]) << 8 | Int(payload[2])
        var subscription: Int64 = 0
        for byte in payload[3..<8] { subscription = subscription << 8 | Int64(byte) }
        let token = UnsubscribeToken(
            subscription: subscription, issued: epoch.addingTimeInterval(Double(days) * 86_400))
        // A day's grace: the issue date is rounded down to midnight.
        if now.timeIntervalSince(token.issued) > lifetime.timeInterval + 86_400 { throw .expired }
        return token
    }

    /// Compares a MAC in constant time: the MAC is the whole of a token's security.
    static func constantTimeEqual(_ expected: [UInt8], _ given: ArraySlice<UInt8>) -> Bool {
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        return difference == 0
    }

    static func mac(_ payload: [UInt8], key: [UInt8]) -> [UInt8] {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: key))
        hmac.update(data: Array("vigil-unsubscribe\u{0}".utf8))
        hmac.update(data: payload)
        return Array(Array(hmac.finalize()).prefix(macLength))
    }
}

/// base64url without padding (RFC 4648 §5).
enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = min(3, bytes.count - index)
            var value = 0
            for offset in 0..<3 { value = value << 8 | (offset < chunk ? Int(bytes[index + offset]) : 0) }
            for position in 0...chunk { output.append(alphabet[(value >> (18 - 6 * position)) & 63]) }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        guard
            text.utf8.allSatisfy({ byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            })
        else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.utf8.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map(Array.init)
    }
}
