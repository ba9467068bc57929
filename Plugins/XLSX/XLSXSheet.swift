import Foundation
import VigilCore

/// One worksheet's cells as rows of text: shared and inline strings resolved, numbers with a
/// date style turned into ISO dates, booleans as TRUE/FALSE; `rowNumbers` are the sheet's own.
struct XLSXSheet {
    var rows: [(number: Int, cells: [String])] = []

    init(_ data: Data, part: String, strings: [String], dateStyles: Set<Int>, uses1904Dates: Bool)
        throws(SourceFailure)
    {
        var rows: [(number: Int, cells: [String])] = []
        var cells: [String] = []
        var rowNumber = 0
        var column = 0
        var type = "n"
        var style = 0
        var value: String?
        var inline = ""
        var badReference: String?
        let reader = XMLPartReader()
        reader.onStart = { name, attributes in
            switch name {
            case "row":
                rowNumber = attributes["r"].flatMap(Int.init) ?? rowNumber + 1
                cells = []
                column = 0
            case "c":
                if let reference = attributes["r"] {
                    guard let index = Self.columnIndex(reference) else {
                        badReference = reference
                        return
                    }
                    column = index
                }
                type = attributes["t"] ?? "n"
                style = attributes["s"].flatMap(Int.init) ?? 0
                value = nil
                inline = ""
            default: break
            }
        }
        reader.onEnd = { name, text in
            switch name {
            case "v": value = text
            case "t": inline += text
            case "c":
                let shown: String
                switch type {
                case "s":
                    shown = value.flatMap(Int.init).flatMap { strings.indices.contains($0) ? strings[$0] : nil } ?? ""
                case "inlineStr": shown = inline
                case "b": shown = value == "1" ? "TRUE" : "FALSE"
                case "n" where dateStyles.contains(style):
                    shown =
                        value.flatMap(Double.init).flatMap { Self.date(serial: $0, uses1904: uses1904Dates) } ?? value
                        ?? ""
                default: shown = value ?? ""
                }
                if column < 16_384 {
                    if cells.count <= column { cells += Array(repeating: "", count: column + 1 - cells.count) }
                    cells[column] = TextNormalizer.clean(shown)
                }
                column += 1
            case "row":
                rows.append((rowNumber, cells))
            default: break
            }
        }
        try reader.read(data, part: part)
        if let badReference {
            throw .parse("\(part) has a cell reference \"\(badReference)\" that is not a cell address")
        }
        self.rows = rows
    }

    /// "C7" → 2 (columns from 0).
    static func columnIndex(_ reference: String) -> Int? {
        var index = 0
        var letters = 0
        for scalar in reference.unicodeScalars {
            guard ("A"..."Z").contains(scalar) else { break }
            index = index * 26 + Int(scalar.value - 64)
            letters += 1
        }
        guard letters > 0, letters <= 3 else { return nil }
        return index - 1
    }

    /// A date serial as ISO 8601: `yyyy-MM-dd`, with `THH:mm:ss` when it has a time of day.
    static func date(serial: Double, uses1904: Bool) -> String? {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        // Day 0 is 1899-12-30 in the 1900 system (which counts a 29 February 1900 that never was).
        let epoch: TimeInterval = uses1904 ? -2_082_844_800 : -2_209_161_600
        let seconds = (serial * 86_400).rounded()
        let date = Date(timeIntervalSince1970: epoch + seconds)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        guard let year = parts.year, let month = parts.month, let day = parts.day else { return nil }
        var text = String(format: "%04d-%02d-%02d", year, month, day)
        if let hour = parts.hour, let minute = parts.minute, let second = parts.second, hour + minute + second > 0 {
            text += String(format: "T%02d:%02d:%02d", hour, minute, second)
        }
        return text
    }
}
