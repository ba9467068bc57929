/// The records a source gave last time, by the digest of the exact bytes each was built from.
///
/// A steady list changes in a few records a day. A JSON record whose bytes are the same as
/// when it was last built, read with the same mapping, builds the same record: the reader
/// finds such records by their brackets and a hash, and skips parsing and building them
/// (``ParsedSource/unchangedKeys``). Only records built cleanly — every status word mapped,
/// every date read — are remembered, so what a reading reports about unmapped words and
/// unparsed dates never depends on what was skipped. The digest covers the mapping and
/// the record builder's version as well as the bytes, so a change to either rebuilds all.
public struct KnownRecords: Sendable {
    /// Raw digest → record key.
    public var keys: [Int64: String]

    public init(keys: [Int64: String]) {
        self.keys = keys
    }

    /// The digest of a record's bytes under `seed` (``seed(for:)`` of the mapping read with):
    /// eight bytes at a time, multiplied and shifted (a record's bytes are hashed on every
    /// run, so this is a large part of a steady run's time). Words are read in the
    /// machine's byte order; a state moved to a machine of the other order only reads its
    /// records in full once.
    static func digest(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64) -> Int64 {
        let raw = UnsafeRawBufferPointer(bytes)
        var hash = seed ^ (UInt64(raw.count) &* 0x9E37_79B9_7F4A_7C15)
        var offset = 0
        while offset + 8 <= raw.count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0x9FB2_1C65_1E98_DF25
            hash ^= hash >> 29
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < raw.count {
            tail |= UInt64(raw[offset]) << shift
            shift += 8
            offset += 1
        }
        hash = (hash ^ tail) &* 0x9FB2_1C65_1E98_DF25
        hash ^= hash >> 32
        hash = hash &* 0xD6E8_FEB8_6659_FD93
        hash ^= hash >> 32
        return Int64(bitPattern: hash)
    }

    /// Bump when records are built differently from the same bytes and mapping.
    static let builderVersion = "records-v1"

    /// The hash of the mapping: every part that shapes a record, in a fixed order.
    static func seed(for mapping: FieldMapping) -> UInt64 {
        var text = builderVersion + "\u{1}"
        text += mapping.key.joined(separator: "\u{2}") + "\u{1}"
        text += mapping.name.joined(separator: "\u{2}") + "\u{1}"
        text += (mapping.status ?? "") + "\u{1}"
        for (name, field) in mapping.fields {
            text += name + "\u{2}" + field.from + "\u{2}"
            switch field.kind {
            case .text: text += "text"
            case .date(let formats): text += "date:" + formats.map(\.description).joined(separator: "\u{3}")
            }
            text += "\u{1}"
        }
        for (word, status) in mapping.statusMap.sorted(by: { $0.key < $1.key }) {
            text += word + "\u{2}" + status.rawValue + "\u{1}"
        }
        return FNV1a64.hash(text.utf8)
    }
}
