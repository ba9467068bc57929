import VigilXML

/// How a source's selectors are written: CSS (the default, a documented subset) or XPath 1.0.
public enum SelectorSyntax: String, Sendable, CaseIterable {
    case css
    case xpath

    /// `selector` as XPath: from the document, or `relative` to a row. The message of a
    /// failure says what is wrong and at which column.
    public func compile(_ selector: String, relative: Bool) throws(SelectorError) -> XPath {
        switch self {
        case .css:
            let compiled: CSSSelector
            do {
                compiled = try CSSSelector(selector, relative: relative)
            } catch {
                throw SelectorError(message: "invalid CSS selector \"\(selector)\": \(error)")
            }
            do {
                return try XPath(compiled.xpath)
            } catch {
                throw SelectorError(message: "CSS selector \"\(selector)\" gave invalid XPath: \(error)")
            }
        case .xpath:
            do {
                return try XPath(selector)
            } catch {
                throw SelectorError(message: "invalid XPath \"\(selector)\": \(error)")
            }
        }
    }
}

/// A selector that does not compile.
public struct SelectorError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
