/// Writes a record's canonical JSON form as bytes into a sink: a buffer (for storage) or
/// a running hash (for comparing without building the text). Both see the same bytes,
/// so a record's digest is always the digest of its stored encoding.
protocol ByteSink {
    mutating func write(_ byte: UInt8)
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>)
}

extension ByteSink {
    mutating func write(_ text: StaticString) {
        write(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Writes `text` as a JSON string literal (quotes, and the escapes JSON requires).
    mutating func writeJSONString(_ text: String) {
        write(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                write(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                write(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): write(byte)
                case 0x0A: write(UInt8(ascii: "n"))
                case 0x0D: write(UInt8(ascii: "r"))
                case 0x09: write(UInt8(ascii: "t"))
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    write("u00")
                    write(hex[Int(byte >> 4)])
                    write(hex[Int(byte & 0x0F)])
                }
                start = index + 1
            }
            write(UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        write(UInt8(ascii: "\""))
    }
}

/// Collects bytes.
struct ByteBuffer: ByteSink {
    var bytes: [UInt8] = []

    mutating func write(_ byte: UInt8) { bytes.append(byte) }
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes.append(contentsOf: bytes) }
}

/// 64-bit FNV-1a: a fast, stable (unseeded) hash of the bytes written.
struct FNV1a64: ByteSink {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func write(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        write(contentsOf: bytes)
    }

    mutating func write(contentsOf bytes: some Sequence<UInt8>) {
        var hash = value
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        value = hash
    }

    /// The hash of `bytes`.
    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash = FNV1a64()
        hash.write(contentsOf: bytes)
        return hash.value
    }
}

extension Record {
    /// Writes `{"name":…,"status":…,"fields":{…}}` with fields in name order.
    func writeCanonical(into sink: inout some ByteSink) {
        sink.write("{\"name\":")
        sink.writeJSONString(name)
        sink.write(",\"status\":")
        sink.writeJSONString(status.description)
        sink.write(",\"fields\":{")
        for (index, field) in sortedFields.enumerated() {
            if index > 0 { sink.write(UInt8(ascii: ",")) }
            sink.writeJSONString(field.name)
            sink.write(UInt8(ascii: ":"))
            sink.writeJSONString(field.value)
        }
        sink.write("}}")
    }

    /// The record's content (not its key) as deterministic JSON: equal records encode equally.
    public var canonicalEncoding: String {
        var buffer = ByteBuffer()
        buffer.bytes.reserveCapacity(48 + name.utf8.count + sortedFields.count * 40)
        writeCanonical(into: &buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    /// A 64-bit hash of ``canonicalEncoding``, computed without building it. The state keeps
    /// it per record, so an unchanged record costs one integer comparison.
    public var canonicalDigest: Int64 {
        var hash = FNV1a64()
        writeCanonical(into: &hash)
        return Int64(bitPattern: hash.value)
    }
}
