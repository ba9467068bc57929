import Foundation
import VigilCore
import ZIPFoundation

/// The parts of an XLSX file (a zip of XML parts), read with a guard against zip bombs:
/// no part may inflate past `maxPartBytes` and all parts together past `maxTotalBytes`,
/// whatever the archive's headers claim — inflation stops at the cap.
struct XLSXArchive {
    let archive: Archive
    let maxPartBytes: Int
    let maxTotalBytes: Int
    private(set) var inflated = 0

    init(_ bytes: [UInt8], maxPartBytes: Int, maxTotalBytes: Int) throws(SourceFailure) {
        guard bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) else {
            let start = String(decoding: bytes.prefix(64), as: UTF8.self).lowercased()
            if start.contains("<html") || start.contains("<!doctype") {
                throw .wrongType("expected an XLSX spreadsheet, got an HTML page (a login or captcha page?)")
            }
            throw .wrongType("expected an XLSX spreadsheet (a zip file), the document does not start like one")
        }
        do {
            archive = try Archive(data: Data(bytes), accessMode: .read)
        } catch {
            throw .parse("the XLSX file is not a readable zip archive (truncated?)")
        }
        self.maxPartBytes = maxPartBytes
        self.maxTotalBytes = maxTotalBytes
    }

    /// The inflated bytes of `path`, or nil when the archive has no such part.
    mutating func part(_ path: String) throws(SourceFailure) -> Data? {
        guard let entry = archive[path] else { return nil }
        var data = Data()
        let partLimit = maxPartBytes
        let totalLeft = maxTotalBytes - inflated
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                guard data.count + chunk.count <= partLimit, data.count + chunk.count <= totalLeft else {
                    throw Inflation.overCap
                }
                data.append(chunk)
            }
        } catch Inflation.overCap {
            throw .parse(
                totalLeft < partLimit
                    ? "the XLSX parts together inflate past \(maxTotalBytes) bytes (a zip bomb, or raise maxBytes)"
                    : "the XLSX part \(path) inflates past \(partLimit) bytes (a zip bomb, or raise maxBytes)")
        } catch {
            throw .parse("the XLSX part \(path) cannot be inflated (a truncated or damaged file?)")
        }
        inflated += data.count
        return data
    }

    private enum Inflation: Error {
        case overCap
    }
}
