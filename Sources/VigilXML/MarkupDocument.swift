import CLibXML2

/// A parsed HTML or XML document (libxml2), read on one thread and freed with it.
///
/// HTML is parsed in recovery mode, as browsers do; XML strictly. Neither reads the network,
/// loads a DTD or substitutes an entity, and neither writes libxml2's messages to stderr.
public final class MarkupDocument {
    let document: xmlDocPtr
    /// The address the document came from, for resolving relative links (nil for a file or stdin).
    public let url: String?

    private init(document: xmlDocPtr, url: String?) {
        self.document = document
        self.url = url
    }

    deinit { xmlFreeDoc(document) }

    /// Parses HTML. `encoding` (an IANA name such as `windows-1251`) wins over the document's
    /// own `<meta charset>`; see ``Charset/detect(_:contentType:)``.
    public static func html(_ bytes: [UInt8], url: String? = nil, encoding: String? = nil) throws(MarkupError)
        -> MarkupDocument
    {
        LibXML2.initialize()
        guard bytes.count < Int(Int32.max) else { throw .tooLarge }
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                vigil_html_read(chars.baseAddress, Int32(chars.count), url, encoding)
            }
        }
        guard let parsed else { throw .unreadable("the HTML document could not be parsed") }
        return MarkupDocument(document: parsed, url: url)
    }

    /// Parses XML (feeds). External entities and DTDs are never loaded; a malformed
    /// document is an error that says where.
    public static func xml(_ bytes: [UInt8], url: String? = nil) throws(MarkupError) -> MarkupDocument {
        LibXML2.initialize()
        guard bytes.count < Int(Int32.max) else { throw .tooLarge }
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                vigil_xml_read(chars.baseAddress, Int32(chars.count))
            }
        }
        guard let parsed else {
            if let error = xmlGetLastError() {
                let message = error.pointee.message.map { String(cString: $0) } ?? "malformed"
                throw .unreadable(
                    "the XML document is malformed at line \(error.pointee.line), column \(error.pointee.int2): "
                        + message.trimmingSuffix())
            }
            throw .unreadable("the XML document is malformed")
        }
        return MarkupDocument(document: parsed, url: url)
    }

    /// The root element, if the document has one.
    public var root: MarkupNode? {
        xmlDocGetRootElement(document).map(MarkupNode.init)
    }
}

/// Why a document could not be read.
public enum MarkupError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String)
    case tooLarge

    public var description: String {
        switch self {
        case .unreadable(let message): message
        case .tooLarge: "the document is larger than 2 GB"
        }
    }
}

/// libxml2's one-time process setup, done before the first parse on any thread.
enum LibXML2 {
    private static let initialized: Bool = {
        vigil_xml_init()
        return true
    }()

    static func initialize() { _ = initialized }
}

extension String {
    func trimmingSuffix() -> String {
        var text = self
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
