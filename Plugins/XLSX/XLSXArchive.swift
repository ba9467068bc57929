import Foundation
import VigilCore

/// The parts of an XLSX file (a zip of XML parts), read with every size bounded.
///
/// The zip structure (end record, central directory, local headers) is read here with
/// bounds checks at each step, and each part inflated by zlib from exactly its compressed
/// bytes (``RawInflater``), checked against the directory's size and CRC-32. (ZIPFoundation
/// was the first choice; fuzzing found it trapping on an entry offset past the end of an
/// in-memory archive, looping forever on a truncated stream, and reading past a short
/// input chunk in its inflate loop.)
///
/// A zip bomb stops at the cap: no part may inflate past `maxPartBytes` and all parts together
/// past `maxTotalBytes`, whatever the headers claim.
struct XLSXArchive {
    private let bytes: [UInt8]
    /// Part name → where its data is and how it is stored.
    private var entries: [String: Entry] = [:]
    let maxPartBytes: Int
    let maxTotalBytes: Int
    private(set) var inflated = 0

    struct Entry {
        var method: UInt16
        var crc: UInt32
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeader: Int
    }

    init(_ bytes: [UInt8], maxPartBytes: Int, maxTotalBytes: Int) throws(SourceFailure) {
        guard bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) else {
            if SourceDocument.looksLikeHTMLPage(bytes) {
                throw .wrongType("expected an XLSX spreadsheet, got an HTML page (a login or captcha page?)")
            }
            throw .wrongType("expected an XLSX spreadsheet (a zip file), the document does not start like one")
        }
        self.bytes = bytes
        self.maxPartBytes = maxPartBytes
        self.maxTotalBytes = maxTotalBytes
        entries = try Self.centralDirectory(bytes)
    }

    /// Reads the end record and the central directory: part names and where their data is.
    private static func centralDirectory(_ bytes: [UInt8]) throws(SourceFailure) -> [String: Entry] {
        let broken = SourceFailure.parse("the XLSX file is not a readable zip archive (truncated or damaged?)")
        // The end record is 22 bytes plus a comment of at most 65,535.
        let earliest = max(0, bytes.count - 22 - 65_535)
        var end = bytes.count - 22
        while end >= earliest, !(bytes.u32(at: end) == 0x0605_4B50) { end -= 1 }
        guard end >= earliest, let count = bytes.u16(at: end + 10), let size = bytes.u32(at: end + 12),
            let offset = bytes.u32(at: end + 16)
        else { throw broken }
        guard size != 0xFFFF_FFFF, offset != 0xFFFF_FFFF else {
            throw .parse("the XLSX file is a ZIP64 archive, which Vigil does not read (a workbook over 4 GB?)")
        }
        var entries: [String: Entry] = [:]
        var position = Int(offset)
        for _ in 0..<Int(count) {
            guard bytes.u32(at: position) == 0x0201_4B50, let flags = bytes.u16(at: position + 8),
                let method = bytes.u16(at: position + 10), let crc = bytes.u32(at: position + 16),
                let compressed = bytes.u32(at: position + 20), let uncompressed = bytes.u32(at: position + 24),
                let nameLength = bytes.u16(at: position + 28),
                let extraLength = bytes.u16(at: position + 30), let commentLength = bytes.u16(at: position + 32),
                let local = bytes.u32(at: position + 42), position + 46 + Int(nameLength) <= bytes.count
            else { throw broken }
            guard flags & 1 == 0 else { throw .parse("the XLSX file is encrypted") }
            let name = String(decoding: bytes[(position + 46)..<(position + 46 + Int(nameLength))], as: UTF8.self)
            entries[name] = Entry(
                method: method, crc: crc, compressedSize: Int(compressed), uncompressedSize: Int(uncompressed),
                localHeader: Int(local))
            position += 46 + Int(nameLength) + Int(extraLength) + Int(commentLength)
        }
        return entries
    }

    /// The inflated bytes of `path`, or nil when the archive has no such part.
    mutating func part(_ path: String) throws(SourceFailure) -> Data? {
        guard let entry = entries[path] else { return nil }
        let damaged = SourceFailure.parse("the XLSX part \(path) cannot be inflated (a truncated or damaged file?)")
        let header = entry.localHeader
        guard bytes.u32(at: header) == 0x0403_4B50, let nameLength = bytes.u16(at: header + 26),
            let extraLength = bytes.u16(at: header + 28)
        else { throw damaged }
        let start = header + 30 + Int(nameLength) + Int(extraLength)
        guard start <= bytes.count, entry.compressedSize <= bytes.count - start else { throw damaged }
        let limit = min(maxPartBytes, maxTotalBytes - inflated)
        let overCap = SourceFailure.parse(
            maxTotalBytes - inflated < maxPartBytes
                ? "the XLSX parts together inflate past \(maxTotalBytes) bytes (a zip bomb, or raise maxBytes)"
                : "the XLSX part \(path) inflates past \(maxPartBytes) bytes (a zip bomb, or raise maxBytes)")
        let compressed = bytes[start..<(start + entry.compressedSize)]
        let data: [UInt8]
        switch entry.method {
        case 0:
            guard compressed.count <= limit else { throw overCap }
            data = Array(compressed)
        case 8:
            do {
                data = try RawInflater.inflate(compressed, limit: limit)
            } catch .overLimit {
                throw overCap
            } catch {
                throw damaged
            }
        default:
            throw .parse("the XLSX part \(path) uses compression method \(entry.method), not deflate")
        }
        guard data.count == entry.uncompressedSize, CRC32.checksum(data) == entry.crc else { throw damaged }
        inflated += data.count
        return Data(data)
    }

}

extension [UInt8] {
    /// A little-endian 16-bit value at `offset`, nil past the end.
    fileprivate func u16(at offset: Int) -> UInt16? {
        guard offset >= 0, offset + 2 <= count else { return nil }
        return UInt16(self[offset]) | UInt16(self[offset + 1]) << 8
    }

    /// A little-endian 32-bit value at `offset`, nil past the end.
    fileprivate func u32(at offset: Int) -> UInt32? {
        guard offset >= 0, offset + 4 <= count else { return nil }
        return UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16
            | UInt32(self[offset + 3]) << 24
    }
}
