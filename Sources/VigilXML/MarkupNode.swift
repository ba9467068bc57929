import CLibXML2
import VigilCore

/// An element, attribute or text node of a ``MarkupDocument``; valid while its document lives.
public struct MarkupNode {
    let node: xmlNodePtr

    init(_ node: xmlNodePtr) {
        self.node = node
    }

    /// The element's or attribute's local name (lowercase for HTML), "" for text.
    public var name: String {
        guard let name = node.pointee.name else { return "" }
        return String(cString: name)
    }

    public var isElement: Bool { node.pointee.type == XML_ELEMENT_NODE }

    /// The element children, in document order.
    public var elements: [MarkupNode] {
        var children: [MarkupNode] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { children.append(MarkupNode(current)) }
            child = current.pointee.next
        }
        return children
    }

    /// The first element child named `name` (local name, any namespace).
    public func element(_ name: String) -> MarkupNode? {
        elements.first { $0.name == name }
    }

    /// An attribute's value, without namespace; nil when absent.
    public func attribute(_ name: String) -> String? {
        guard let value = xmlGetProp(node, name) else { return nil }
        defer { vigil_xml_free(value) }
        return String(cString: value)
    }

    /// The text a reader sees, whitespace-normalised: entities decoded, markup dropped,
    /// a space where a line break or a block element separates words (`John<br>Smith` is
    /// "John Smith"), scripts, styles and comments left out. Entity references an XML
    /// document left unexpanded are skipped, never resolved.
    public var text: String {
        var collector = TextCollector()
        collector.collect(node)
        return collector.finish()
    }

    /// The raw text of a text or attribute node, or all text below an element, without
    /// block spacing (for XML values such as a feed's `<guid>`).
    public var rawText: String {
        var collector = TextCollector(blockSpacing: false)
        collector.collect(node)
        return collector.finish()
    }
}

/// Gathers the text below a node into one whitespace-normalised string.
struct TextCollector {
    var blockSpacing = true
    private var output: [UInt8] = []
    private var pendingSpace = false

    init(blockSpacing: Bool = true) {
        self.blockSpacing = blockSpacing
    }

    /// Elements that separate words when rendered (a line break or a block box).
    private static let separating: Set<String> = [
        "br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6",
        "section", "article", "header", "footer", "blockquote", "dd", "dt", "dl", "hr", "pre", "address",
    ]
    private static let hidden: Set<String> = ["script", "style", "template", "noscript"]

    mutating func collect(_ start: xmlNodePtr) {
        switch start.pointee.type {
        case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
            append(start.pointee.content)
        case XML_ATTRIBUTE_NODE:
            var child = start.pointee.children
            while let current = child {
                append(current.pointee.content)
                child = current.pointee.next
            }
        case XML_ELEMENT_NODE, XML_DOCUMENT_NODE, XML_HTML_DOCUMENT_NODE:
            walk(start.pointee.children)
        default:
            break
        }
    }

    private mutating func walk(_ first: xmlNodePtr?) {
        var child = first
        while let current = child {
            switch current.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                append(current.pointee.content)
            case XML_ELEMENT_NODE:
                let name = current.pointee.name.map { String(cString: $0) } ?? ""
                if !Self.hidden.contains(name) {
                    let separates = blockSpacing && Self.separating.contains(name)
                    if separates { pendingSpace = true }
                    walk(current.pointee.children)
                    if separates { pendingSpace = true }
                }
            default:
                break  // comments, processing instructions, unexpanded entity references
            }
            child = current.pointee.next
        }
    }

    private mutating func append(_ content: UnsafePointer<xmlChar>?) {
        guard var byte = content else { return }
        while byte.pointee != 0 {
            let value = byte.pointee
            switch value {
            case 0x20, 0x09, 0x0A, 0x0D, 0x0C:
                pendingSpace = true
            case 0xC2 where byte.successor().pointee == 0xA0:
                pendingSpace = true  // no-break space
                byte = byte.successor()
            default:
                if pendingSpace && !output.isEmpty { output.append(0x20) }
                pendingSpace = false
                output.append(value)
            }
            byte = byte.successor()
        }
    }

    /// The text, with any remaining Unicode whitespace normalised the way every source's is.
    mutating func finish() -> String {
        TextNormalizer.clean(String(decoding: output, as: UTF8.self))
    }
}
