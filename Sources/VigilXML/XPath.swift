import CLibXML2
import VigilCore

/// An XPath 1.0 expression, checked when the configuration is read and compiled again
/// for each document read (a compiled expression is not shared between threads).
public struct XPath: Sendable, Equatable, CustomStringConvertible {
    public let expression: String

    /// Checks `expression`; the error says what libxml2 found wrong and where.
    public init(_ expression: String) throws(XPathError) {
        self.expression = expression
        _ = try CompiledXPath(expression)
    }

    public var description: String { expression }
}

/// An XPath expression libxml2 refused.
public struct XPathError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// 1-based column of the problem, when libxml2 says.
    public let column: Int?

    public var description: String {
        column.map { "\(message) at column \($0)" } ?? message
    }
}

/// A compiled expression, freed with this object.
final class CompiledXPath {
    let compiled: xmlXPathCompExprPtr

    init(_ expression: String) throws(XPathError) {
        LibXML2.initialize()
        guard !expression.utf8.contains(0) else { throw XPathError(message: "the expression has a NUL", column: nil) }
        var message = [CChar](repeating: 0, count: 256)
        var offset: Int32 = -1
        guard let compiled = vigil_xpath_compile(expression, &message, Int32(message.count), &offset) else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw XPathError(message: text, column: offset >= 0 ? Int(offset) + 1 : nil)
        }
        self.compiled = compiled
    }

    deinit { xmlXPathFreeCompExpr(compiled) }
}

/// Evaluates expressions against one document: the selection side of the HTML and feed readers.
public final class XPathEvaluator {
    private let document: MarkupDocument
    private let context: xmlXPathContextPtr
    private var cache: [String: CompiledXPath] = [:]

    public init(_ document: MarkupDocument) throws(MarkupError) {
        self.document = document
        guard let context = xmlXPathNewContext(document.document) else {
            throw .unreadable("out of memory for an XPath context")
        }
        self.context = context
    }

    deinit { xmlXPathFreeContext(context) }

    /// The nodes `expression` selects from `node` (the document's root when nil), in document
    /// order. An expression that yields a string or number selects nothing.
    public func nodes(_ expression: XPath, from node: MarkupNode? = nil) throws(XPathError) -> [MarkupNode] {
        guard let result = try evaluate(expression, from: node) else { return [] }
        defer { xmlXPathFreeObject(result) }
        guard result.pointee.type == XPATH_NODESET, let set = result.pointee.nodesetval else { return [] }
        let count = Int(set.pointee.nodeNr)
        var nodes: [MarkupNode] = []
        nodes.reserveCapacity(count)
        for index in 0..<count {
            if let found = set.pointee.nodeTab[index] { nodes.append(MarkupNode(found)) }
        }
        return nodes
    }

    /// The text of what `expression` selects from `node`: the first node's text, or the
    /// string or number the expression computes; nil when it selects nothing.
    public func text(_ expression: XPath, from node: MarkupNode?) throws(XPathError) -> String? {
        guard let result = try evaluate(expression, from: node) else { return nil }
        defer { xmlXPathFreeObject(result) }
        switch result.pointee.type {
        case XPATH_NODESET:
            guard let set = result.pointee.nodesetval, set.pointee.nodeNr > 0, let first = set.pointee.nodeTab[0]
            else { return nil }
            return MarkupNode(first).text
        case XPATH_STRING:
            return result.pointee.stringval.map { TextNormalizer.clean(String(cString: $0)) }
        case XPATH_NUMBER:
            let number = result.pointee.floatval
            guard number.isFinite else { return nil }
            return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case XPATH_BOOLEAN:
            return result.pointee.boolval != 0 ? "true" : "false"
        default:
            return nil
        }
    }

    private func evaluate(_ expression: XPath, from node: MarkupNode?) throws(XPathError) -> xmlXPathObjectPtr? {
        let compiled: CompiledXPath
        if let cached = cache[expression.expression] {
            compiled = cached
        } else {
            compiled = try CompiledXPath(expression.expression)
            cache[expression.expression] = compiled
        }
        let start = node?.node ?? xmlDocGetRootElement(document.document)
        guard let start else { return nil }
        vigil_xml_quiet()
        return vigil_xpath_eval(compiled.compiled, context, start)
    }
}
