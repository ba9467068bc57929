import Foundation
import VigilCore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads one XML part with Foundation's `XMLParser` (external entities never resolved).
final class XMLPartReader: NSObject, XMLParserDelegate {
    /// Called with each element's local name and attributes as it opens.
    var onStart: (String, [String: String]) -> Void = { _, _ in }
    /// Called with each element's local name and the text gathered inside it since it opened.
    var onEnd: (String, String) -> Void = { _, _ in }
    private var text = ""
    private var failure: String?

    func read(_ data: Data, part: String) throws(SourceFailure) {
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = self
        guard parser.parse() else {
            throw .parse(
                "the XLSX part \(part) is malformed at line \(parser.lineNumber), column \(parser.columnNumber)")
        }
    }

    static func localName(_ name: String) -> String {
        name.split(separator: ":").last.map(String.init) ?? name
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        text = ""
        onStart(Self.localName(elementName), attributes)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        onEnd(Self.localName(elementName), text)
    }
}

/// `xl/workbook.xml` and its relationships: the sheets by name, and the date system.
struct XLSXWorkbook {
    var sheets: [(name: String, path: String)] = []
    var uses1904Dates = false

    init(workbook: Data, relationships: Data?) throws(SourceFailure) {
        var ids: [(name: String, id: String)] = []
        var date1904 = false
        let reader = XMLPartReader()
        reader.onStart = { name, attributes in
            if name == "sheet", let sheet = attributes["name"],
                let id = attributes["r:id"] ?? attributes.first(where: { $0.key.hasSuffix(":id") })?.value
            {
                ids.append((sheet, id))
            }
            if name == "workbookPr", let value = attributes["date1904"] { date1904 = value == "1" || value == "true" }
        }
        try reader.read(workbook, part: "xl/workbook.xml")
        var targets: [String: String] = [:]
        if let relationships {
            let relationshipReader = XMLPartReader()
            relationshipReader.onStart = { name, attributes in
                if name == "Relationship", let id = attributes["Id"], let target = attributes["Target"] {
                    targets[id] = target
                }
            }
            try relationshipReader.read(relationships, part: "xl/_rels/workbook.xml.rels")
        }
        uses1904Dates = date1904
        for (index, sheet) in ids.enumerated() {
            var target = targets[sheet.id] ?? "worksheets/sheet\(index + 1).xml"
            target = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
            sheets.append((sheet.name, target))
        }
    }
}

/// `xl/sharedStrings.xml`: every string the sheets refer to by index, rich text runs joined
/// (phonetic guides left out).
enum XLSXSharedStrings {
    static func read(_ data: Data) throws(SourceFailure) -> [String] {
        var strings: [String] = []
        var current = ""
        var inPhonetic = false
        let reader = XMLPartReader()
        reader.onStart = { name, _ in
            if name == "si" { current = "" }
            if name == "rPh" { inPhonetic = true }
        }
        reader.onEnd = { name, text in
            switch name {
            case "t" where !inPhonetic: current += text
            case "rPh": inPhonetic = false
            case "si": strings.append(current)
            default: break
            }
        }
        try reader.read(data, part: "xl/sharedStrings.xml")
        return strings
    }
}

/// `xl/styles.xml`: which cell styles show a number as a date.
enum XLSXStyles {
    /// Built-in date and time formats (ECMA-376 §18.8.30).
    static let builtInDateFormats: Set<Int> = Set(14...22).union(45...47).union([27, 30, 36, 50, 57])

    static func dateStyles(_ data: Data) throws(SourceFailure) -> Set<Int> {
        var customDates: Set<Int> = []
        var formats: [Int] = []
        var inCellXfs = false
        let reader = XMLPartReader()
        reader.onStart = { name, attributes in
            switch name {
            case "numFmt":
                if let id = attributes["numFmtId"].flatMap(Int.init), let code = attributes["formatCode"],
                    isDateFormat(code)
                {
                    customDates.insert(id)
                }
            case "cellXfs": inCellXfs = true
            case "xf" where inCellXfs: formats.append(attributes["numFmtId"].flatMap(Int.init) ?? 0)
            default: break
            }
        }
        reader.onEnd = { name, _ in if name == "cellXfs" { inCellXfs = false } }
        try reader.read(data, part: "xl/styles.xml")
        var styles: Set<Int> = []
        for (index, format) in formats.enumerated()
        where builtInDateFormats.contains(format) || customDates.contains(format) {
            styles.insert(index)
        }
        return styles
    }

    /// A custom format shows a date when it has day, month or year codes outside quotes,
    /// brackets and escapes ("dd.mm.yyyy" yes, "0.00" and "[Red]0" no).
    static func isDateFormat(_ code: String) -> Bool {
        var inQuotes = false
        var inBrackets = false
        var escaped = false
        for character in code.lowercased() {
            if escaped {
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "\"": inQuotes.toggle()
            case "[" where !inQuotes: inBrackets = true
            case "]" where !inQuotes: inBrackets = false
            default: if !inQuotes && !inBrackets && "dmy".contains(character) { return true }
            }
        }
        return false
    }
}
