/// VERP (variable envelope return path): each message's envelope sender is the output's
/// bounce address with a token naming the outbox row, `bounces+TOKEN@example.org`, so a
/// bounce tells which message (and so which recipient) failed even when the report does not
/// say. The token is the row number and a 64-bit MAC over it, in lowercase base32 (mail
/// systems may lowercase local parts): 21 characters.
public enum BounceAddress {
    /// `local+TOKEN@domain` for outbox row `outboxID`.
    public static func make(local: String, domain: String, outboxID: Int64, key: [UInt8]) -> String {
        "\(local)+\(token(outboxID, key: key))@\(domain)"
    }

    /// The outbox row a bounce address names, or nil when it has no valid token.
    public static func outboxID(in address: String, key: [UInt8]) -> Int64? {
        guard let at = address.lastIndex(of: "@") else { return nil }
        let local = address[..<at]
        guard let plus = local.lastIndex(of: "+") else { return nil }
        let token = local[local.index(after: plus)...].lowercased()
        guard token.utf8.count == 21, let bytes = Base32.decode(token), bytes.count == 13 else { return nil }
        var id: Int64 = 0
        for byte in bytes[0..<5] { id = id << 8 | Int64(byte) }
        return UnsubscribeToken.constantTimeEqual(mac(Array(bytes[0..<5]), key: key), bytes[5...]) ? id : nil
    }

    static func token(_ outboxID: Int64, key: [UInt8]) -> String {
        var payload: [UInt8] = []
        for shift in stride(from: 32, through: 0, by: -8) { payload.append(UInt8((outboxID >> shift) & 0xFF)) }
        return Base32.encode(payload + mac(payload, key: key))
    }

    static func mac(_ payload: [UInt8], key: [UInt8]) -> [UInt8] {
        Array(UnsubscribeToken.mac(Array("bounce".utf8) + payload, key: key).prefix(8))
    }
}

/// Lowercase base32 without padding (RFC 4648 §6 alphabet, lowercased).
enum Base32 {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | Int(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer = 0
        var bits = 0
        for character in text.utf8 {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5 | value) & 0xFFFF
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return output
    }
}
