/// The JSONPath subset sources use to find their records: `$`, `.name`, `['name']`,
/// `[*]` (every element or member value) and `[N]` (one element).
///
/// Examples: `$.prisoners[*]`, `$.regions[*].people[*]`, `$[*]`, `$['data']['items'][*]`.
public struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    /// One step of a path.
    public enum Segment: Sendable, Equatable {
        case member(String)
        case index(Int)
        case wildcard
    }

    /// Why a path expression is invalid; `column` is 1-based within the expression.
    public struct SyntaxError: Error, Sendable, Equatable {
        public var message: String
        public var column: Int
    }

    public let segments: [Segment]
    public let description: String

    public init(_ text: String) throws(SyntaxError) {
        let scalars = Array(text.unicodeScalars)
        var position = 0
        func fail(_ message: String) -> SyntaxError { SyntaxError(message: message, column: position + 1) }
        guard scalars.first == "$" else {
            throw SyntaxError(message: "a path starts with '$'", column: 1)
        }
        position = 1
        var segments: [Segment] = []
        func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
        }
        while position < scalars.count {
            switch scalars[position] {
            case ".":
                position += 1
                if position < scalars.count, scalars[position] == "*" {
                    position += 1
                    segments.append(.wildcard)
                    continue
                }
                let start = position
                while position < scalars.count, isNameScalar(scalars[position]) { position += 1 }
                guard position > start else { throw fail("expected a member name after '.'") }
                segments.append(.member(String(String.UnicodeScalarView(scalars[start..<position]))))
            case "[":
                position += 1
                guard position < scalars.count else { throw fail("unterminated '['") }
                let scalar = scalars[position]
                if scalar == "*" {
                    position += 1
                    segments.append(.wildcard)
                } else if scalar == "'" || scalar == "\"" {
                    position += 1
                    let start = position
                    while position < scalars.count, scalars[position] != scalar { position += 1 }
                    guard position < scalars.count else { throw fail("unterminated quoted name") }
                    segments.append(.member(String(String.UnicodeScalarView(scalars[start..<position]))))
                    position += 1
                } else if ("0"..."9").contains(scalar) {
                    let start = position
                    while position < scalars.count, ("0"..."9").contains(scalars[position]) { position += 1 }
                    guard let index = Int(String(String.UnicodeScalarView(scalars[start..<position]))) else {
                        throw fail("index too large")
                    }
                    segments.append(.index(index))
                } else {
                    throw fail("expected '*', a number or a quoted name after '['")
                }
                guard position < scalars.count, scalars[position] == "]" else { throw fail("expected ']'") }
                position += 1
            default:
                throw fail("unexpected '\(scalars[position])'; expected '.' or '['")
            }
        }
        self.segments = segments
        self.description = text
    }

    /// Every value the path selects in `root`, in document order.
    public func select(in root: JSONValue) -> [JSONValue] {
        var current = [root]
        for segment in segments {
            var next: [JSONValue] = []
            for value in current {
                switch (segment, value.kind) {
                case (.member(let name), .object(let members)):
                    if let member = members.first(where: { $0.key == name }) { next.append(member.value) }
                case (.index(let index), .array(let elements)):
                    if index < elements.count { next.append(elements[index]) }
                case (.wildcard, .array(let elements)):
                    next.append(contentsOf: elements)
                case (.wildcard, .object(let members)):
                    next.append(contentsOf: members.map(\.value))
                default:
                    break
                }
            }
            current = next
        }
        return current
    }
}
