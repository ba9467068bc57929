/// The syntax tree of a regular expression in RE2's syntax (the syntax CEL's `matches`
/// specifies), parsed by ``RE2Parser`` and compiled to a ``LinearRegex``.
indirect enum RE2Node: Sendable {
    case empty
    case scalar(Unicode.Scalar, caseInsensitive: Bool)
    case set(ScalarSet)
    /// `.`: any scalar, or any but a line feed.
    case any(matchesNewline: Bool)
    case assertion(RE2Assertion)
    case concatenation([RE2Node])
    case alternation([RE2Node])
    /// `min` to `max` repetitions (`max` nil: unbounded); greediness does not change
    /// whether a pattern matches, so it is not kept.
    case repetition(RE2Node, min: Int, max: Int?)
}

/// Zero-width assertions.
enum RE2Assertion: Sendable {
    case beginText, endText, beginLine, endLine, wordBoundary, notWordBoundary
}

/// A set of scalars: ranges, possibly negated, with optional case folding.
struct ScalarSet: Sendable {
    var ranges: [ClosedRange<UInt32>] = []
    var negated = false
    var caseInsensitive = false

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        var found = ranges.contains { $0.contains(scalar.value) }
        if !found, caseInsensitive {
            for variant in ScalarSet.caseVariants(of: scalar) where variant != scalar {
                if ranges.contains(where: { $0.contains(variant.value) }) {
                    found = true
                    break
                }
            }
        }
        return found != negated
    }

    /// The scalar's simple lowercase and uppercase forms (one scalar each, where they exist).
    static func caseVariants(of scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        var variants: [Unicode.Scalar] = [scalar]
        for mapping in [scalar.properties.lowercaseMapping, scalar.properties.uppercaseMapping] {
            let scalars = mapping.unicodeScalars
            if scalars.count == 1, let only = scalars.first, !variants.contains(only) { variants.append(only) }
        }
        return variants
    }

    static let digit = ScalarSet(ranges: [48...57])
    static let word = ScalarSet(ranges: [48...57, 65...90, 95...95, 97...122])
    static let space = ScalarSet(ranges: [9...10, 12...13, 32...32])
}

/// A pattern RE2 would refuse, or one Vigil does not support, with its position.
public struct RE2SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// 1-based position in the pattern, in scalars.
    public var position: Int

    public var description: String { "\(message) at position \(position) of the pattern" }
}
