#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A strict JSON (RFC 8259) parser over UTF-8 bytes that records each value's byte offset.
///
/// Rejects what lenient parsers accept and a source should not send: trailing commas,
/// comments, invalid UTF-8, control characters in strings, trailing garbage, and nesting
/// deeper than ``maxDepth``.
public struct JSONParser {
    /// Why a document is not JSON, and where.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public var location: TextLocation
        /// When ``JSONParser/forEach(in:selecting:rejectingDuplicateMembers:_:)`` failed inside
        /// a selected value: its 1-based number in document order.
        public var selectedNumber: Int?
        /// The member name, when the failure is an object naming a member twice.
        public var duplicateMember: String?

        public var description: String { "line \(location.line), column \(location.column): \(message)" }
    }

    public static let maxDepth = 512

    /// Parses one complete JSON document.
    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        let result: Result<JSONValue, RawFailure> = bytes.withUnsafeBufferPointer { buffer in
            var parser = Cursor(bytes: buffer)
            do throws(RawFailure) {
                parser.skipWhitespace()
                if buffer.starts(with: [0xEF, 0xBB, 0xBF]) {
                    throw RawFailure(message: "byte order mark before the JSON document", offset: 0)
                }
                let value = try parser.parseValue(depth: 0)
                parser.skipWhitespace()
                if parser.position < buffer.count {
                    throw RawFailure(
                        message: "unexpected \(parser.describeCurrent()) after the end of the document",
                        offset: parser.position)
                }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let value): return value
        case .failure(let raw):
            throw Failure(
                message: raw.message, offset: raw.offset, location: TextLocation(offset: raw.offset, in: bytes))
        }
    }

    /// Parses a document given as a string.
    public static func parse(_ text: String) throws(Failure) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Calls `body` with each value `path` selects, in document order, without building the
    /// rest of the document: values off the path are validated and skipped. The whole
    /// document is still checked, so a truncated document fails even after some values.
    /// Errors thrown by `body` are rethrown as they are.
    ///
    /// With `rejectingDuplicateMembers`, an object that names a member twice is a failure:
    /// parsers disagree on which of the two wins (Python and jq take the last, a lookup by
    /// name the first), so a record such as `{"status": "released", "status": "detained"}`
    /// has no one meaning.
    public static func forEach(
        in bytes: [UInt8], selecting path: JSONPath, rejectingDuplicateMembers: Bool = false,
        _ body: (JSONValue) throws -> Void
    ) throws {
        try forEach(
            in: bytes, selecting: path, rejectingDuplicateMembers: rejectingDuplicateMembers, known: nil, seed: nil
        ) {
            if case .value(let value, _) = $0 { try body(value) }
        }
    }

    /// A value the path selected: parsed, with the digest of its bytes when records are
    /// known; or found among the known records by that digest, and not parsed.
    enum Selection {
        case value(JSONValue, raw: Int64?)
        case known(key: String)
    }

    /// ``forEach(in:selecting:rejectingDuplicateMembers:_:)`` that, with a `seed`, takes the
    /// digest of every selected object's bytes and skips those of a `known` record (see
    /// ``KnownRecords``).
    static func forEach(
        in bytes: [UInt8], selecting path: JSONPath, rejectingDuplicateMembers: Bool, known: KnownRecords?,
        seed: UInt64?, _ body: (Selection) throws -> Void
    ) throws {
        do {
            try bytes.withUnsafeBufferPointer { buffer in
                var parser = Cursor(bytes: buffer)
                parser.rejectDuplicateMembers = rejectingDuplicateMembers
                parser.known = known?.keys ?? [:]
                parser.seed = seed
                parser.skipWhitespace()
                if buffer.starts(with: [0xEF, 0xBB, 0xBF]) {
                    throw RawFailure(message: "byte order mark before the JSON document", offset: 0)
                }
                try parser.select(path.segments[...], depth: 0, body)
                parser.skipWhitespace()
                if parser.position < buffer.count {
                    throw RawFailure(
                        message: "unexpected \(parser.describeCurrent()) after the end of the document",
                        offset: parser.position)
                }
            }
        } catch let raw as RawFailure {
            throw Failure(
                message: raw.message, offset: raw.offset, location: TextLocation(offset: raw.offset, in: bytes),
                selectedNumber: raw.selectedNumber, duplicateMember: raw.duplicateMember)
        }
    }

    struct RawFailure: Error {
        var message: String
        var offset: Int
        var selectedNumber: Int?
        var duplicateMember: String?
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0
        var rejectDuplicateMembers = false
        /// How many values ``select(_:depth:_:)`` has started to parse.
        var selectedCount = 0
        /// Records whose bytes need no parsing: digest → key.
        var known: [Int64: String] = [:]
        /// Where selected objects' digests start; nil takes none.
        var seed: UInt64?

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x0A, 0x0D, 0x09: position += 1
                default: return
                }
            }
        }

        func describeCurrent() -> String {
            guard position < bytes.count else { return "end of document" }
            let byte = bytes[position]
            if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
            return "byte 0x\(String(byte, radix: 16))"
        }

        func fail(_ message: String) -> RawFailure {
            RawFailure(message: message, offset: position)
        }

        /// Walks the value at the cursor along `segments`, parsing only what they select.
        mutating func select(_ segments: ArraySlice<JSONPath.Segment>, depth: Int, _ body: (Selection) throws -> Void)
            throws
        {
            guard let segment = segments.first else {
                selectedCount += 1
                var raw: Int64?
                if let seed, let end = objectEnd() {
                    let digest = KnownRecords.digest(UnsafeBufferPointer(rebasing: bytes[position..<end]), seed: seed)
                    if let key = known[digest] {
                        position = end
                        try body(.known(key: key))
                        return
                    }
                    raw = digest
                }
                let value: JSONValue
                do {
                    value = try parseValue(depth: depth)
                } catch {
                    var failure = error
                    failure.selectedNumber = selectedCount
                    throw failure
                }
                try body(.value(value, raw: raw))
                return
            }
            guard depth < JSONParser.maxDepth else { throw fail("nesting deeper than \(JSONParser.maxDepth) levels") }
            guard position < bytes.count else { throw fail("unexpected end of document, expected a value") }
            let rest = segments.dropFirst()
            switch bytes[position] {
            case UInt8(ascii: "{"):
                var seen: [String: Int] = [:]
                try walkObject(depth: depth) { (cursor: inout Cursor, key: String, keyOffset: Int) throws in
                    if cursor.rejectDuplicateMembers, let first = seen.updateValue(keyOffset, forKey: key) {
                        throw cursor.duplicate(key, at: keyOffset, firstAt: first)
                    }
                    switch segment {
                    case .wildcard: try cursor.select(rest, depth: depth + 1, body)
                    case .member(let name) where name == key: try cursor.select(rest, depth: depth + 1, body)
                    default: try cursor.skipValue(depth: depth + 1)
                    }
                }
            case UInt8(ascii: "["):
                var index = 0
                try walkArray(depth: depth) { (cursor: inout Cursor) throws in
                    switch segment {
                    case .wildcard: try cursor.select(rest, depth: depth + 1, body)
                    case .index(let wanted) where wanted == index: try cursor.select(rest, depth: depth + 1, body)
                    default: try cursor.skipValue(depth: depth + 1)
                    }
                    index += 1
                }
            default:
                try skipValue(depth: depth)
            }
        }

        /// The end of the object at the cursor, found by its brackets and strings alone —
        /// nothing is validated, so only bytes known to be a valid record may be skipped this
        /// way; nil when the cursor is not at an object or it does not end.
        func objectEnd() -> Int? {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "{"), let base = bytes.baseAddress else {
                return nil
            }
            var index = position
            var depth = 0
            while index < bytes.count {
                let byte = base[index]
                if byte == UInt8(ascii: "\"") {
                    // On to the closing quote: the next one not escaped by an odd run of backslashes.
                    var from = index + 1
                    while true {
                        guard let found = memchr(base + from, Int32(UInt8(ascii: "\"")), bytes.count - from) else {
                            return nil
                        }
                        let quote = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
                        var slashes = 0
                        while quote - slashes - 1 > index, base[quote - slashes - 1] == UInt8(ascii: "\\") {
                            slashes += 1
                        }
                        if slashes % 2 == 0 {
                            index = quote
                            break
                        }
                        from = quote + 1
                    }
                } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    depth += 1
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { return index + 1 }
                }
                index += 1
            }
            return nil
        }

        /// Validates the value at the cursor without keeping it.
        mutating func skipValue(depth: Int) throws(RawFailure) {
            _ = try parseValue(depth: depth)
        }

        private mutating func walkObject(depth: Int, _ member: (inout Cursor, String, Int) throws -> Void) throws {
            position += 1
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return
            }
            while true {
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                    throw fail("unexpected \(describeCurrent()), expected a member name in double quotes")
                }
                let keyOffset = position
                let key = try parseString()
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                    throw fail("unexpected \(describeCurrent()), expected ':' after a member name")
                }
                position += 1
                skipWhitespace()
                try member(&self, key, keyOffset)
                skipWhitespace()
                guard position < bytes.count else { throw fail("unexpected end of document, expected ',' or '}'") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                if bytes[position] == UInt8(ascii: "}") {
                    position += 1
                    return
                }
                throw fail("unexpected \(describeCurrent()), expected ',' or '}'")
            }
        }

        private mutating func walkArray(depth: Int, _ element: (inout Cursor) throws -> Void) throws {
            position += 1
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return
            }
            while true {
                skipWhitespace()
                try element(&self)
                skipWhitespace()
                guard position < bytes.count else { throw fail("unexpected end of document, expected ',' or ']'") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                if bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    return
                }
                throw fail("unexpected \(describeCurrent()), expected ',' or ']'")
            }
        }

        mutating func parseValue(depth: Int) throws(RawFailure) -> JSONValue {
            guard depth < JSONParser.maxDepth else { throw fail("nesting deeper than \(JSONParser.maxDepth) levels") }
            guard position < bytes.count else { throw fail("unexpected end of document, expected a value") }
            let start = position
            switch bytes[position] {
            case UInt8(ascii: "{"): return JSONValue(.object(try parseObject(depth: depth)), offset: start)
            case UInt8(ascii: "["): return JSONValue(.array(try parseArray(depth: depth)), offset: start)
            case UInt8(ascii: "\""): return JSONValue(.string(try parseString()), offset: start)
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                return JSONValue(.bool(true), offset: start)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                return JSONValue(.bool(false), offset: start)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                return JSONValue(.null, offset: start)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return JSONValue(.number(try parseNumber()), offset: start)
            default:
                throw fail("unexpected \(describeCurrent()), expected a value")
            }
        }

        private mutating func expectLiteral(_ literal: StaticString) throws(RawFailure) {
            let count = literal.utf8CodeUnitCount
            let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
            guard position + count <= bytes.count,
                UnsafeBufferPointer(rebasing: bytes[position..<position + count]).elementsEqual(expected)
            else { throw fail("unexpected \(describeCurrent()), expected a value") }
            position += count
        }

        private mutating func parseObject(depth: Int) throws(RawFailure) -> [JSONMember] {
            var members: [JSONMember] = []
            do {
                try walkObject(depth: depth) { (cursor: inout Cursor, key: String, keyOffset: Int) throws in
                    members.append(
                        JSONMember(key: key, keyOffset: keyOffset, value: try cursor.parseValue(depth: depth + 1)))
                }
            } catch {
                throw Self.rawFailure(error, at: position)
            }
            if rejectDuplicateMembers { try checkDistinct(members) }
            return members
        }

        func duplicate(_ key: String, at offset: Int, firstAt firstOffset: Int) -> RawFailure {
            let first = TextLocation(offset: firstOffset, in: bytes)
            return RawFailure(
                message: "the member \(JSONWriter.string(key)) appears twice in one object "
                    + "(first at line \(first.line), column \(first.column)); which one counts is ambiguous",
                offset: offset, duplicateMember: key)
        }

        /// Fails on the second occurrence of a member name (a linear scan for the small
        /// objects records are, a set for large ones).
        private func checkDistinct(_ members: [JSONMember]) throws(RawFailure) {
            func duplicate(_ second: JSONMember, of first: JSONMember) -> RawFailure {
                self.duplicate(second.key, at: second.keyOffset, firstAt: first.keyOffset)
            }
            if members.count <= 16 {
                for index in members.indices.dropFirst() {
                    for earlier in members[..<index] where earlier.key == members[index].key {
                        throw duplicate(members[index], of: earlier)
                    }
                }
                return
            }
            var seen: [String: Int] = [:]
            for (index, member) in members.enumerated() {
                if let earlier = seen.updateValue(index, forKey: member.key) {
                    throw duplicate(member, of: members[earlier])
                }
            }
        }

        private mutating func parseArray(depth: Int) throws(RawFailure) -> [JSONValue] {
            var elements: [JSONValue] = []
            do {
                try walkArray(depth: depth) { (cursor: inout Cursor) throws in
                    elements.append(try cursor.parseValue(depth: depth + 1))
                }
            } catch {
                throw Self.rawFailure(error, at: position)
            }
            return elements
        }

        /// The walkers throw untyped errors; while parsing, only syntax errors can occur.
        private static func rawFailure(_ error: any Error, at offset: Int) -> RawFailure {
            error as? RawFailure ?? RawFailure(message: "\(error)", offset: offset)
        }

        mutating func parseString() throws(RawFailure) -> String {
            position += 1
            let start = position
            var ascii = true
            // Fast path: no escapes.
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
                    if ascii {
                        position += 1
                        return String(decoding: slice, as: UTF8.self)
                    }
                    guard let text = String(validating: slice, as: UTF8.self) else {
                        throw RawFailure(message: "invalid UTF-8 in a string", offset: start - 1)
                    }
                    position += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw fail("control character in a string (escape it)") }
                if byte >= 0x80 { ascii = false }
                position += 1
            }
            var scratch = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
            while position < bytes.count {
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "\""):
                    guard let text = String(validating: scratch, as: UTF8.self) else {
                        throw RawFailure(message: "invalid UTF-8 in a string", offset: start - 1)
                    }
                    position += 1
                    return text
                case UInt8(ascii: "\\"):
                    position += 1
                    guard position < bytes.count else { break }
                    let escaped = bytes[position]
                    position += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escaped)
                    case UInt8(ascii: "b"): scratch.append(0x08)
                    case UInt8(ascii: "f"): scratch.append(0x0C)
                    case UInt8(ascii: "n"): scratch.append(0x0A)
                    case UInt8(ascii: "r"): scratch.append(0x0D)
                    case UInt8(ascii: "t"): scratch.append(0x09)
                    case UInt8(ascii: "u"):
                        let scalar = try parseUnicodeEscape()
                        scratch.append(contentsOf: String(Character(scalar)).utf8)
                    default:
                        position -= 1
                        throw fail("invalid escape sequence '\\\(describeCurrent())'")
                    }
                default:
                    if byte < 0x20 { throw fail("control character in a string (escape it)") }
                    scratch.append(byte)
                    position += 1
                }
            }
            throw RawFailure(message: "unterminated string", offset: start - 1)
        }

        private mutating func parseHex4() throws(RawFailure) -> UInt32 {
            guard position + 4 <= bytes.count else { throw fail("unexpected end of document in a \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw fail("invalid hex digit in a \\u escape")
                }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            return value
        }

        private mutating func parseUnicodeEscape() throws(RawFailure) -> Unicode.Scalar {
            let first = try parseHex4()
            if (0xD800...0xDBFF).contains(first) {
                guard position + 2 <= bytes.count, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                else { throw fail("unpaired surrogate in a \\u escape") }
                position += 2
                let second = try parseHex4()
                guard (0xDC00...0xDFFF).contains(second),
                    let scalar = Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
                else { throw fail("unpaired surrogate in a \\u escape") }
                return scalar
            }
            guard let scalar = Unicode.Scalar(first) else { throw fail("unpaired surrogate in a \\u escape") }
            return scalar
        }

        private mutating func parseNumber() throws(RawFailure) -> String {
            let start = position
            func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
            if bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid number") }
            if bytes[position] == UInt8(ascii: "0") {
                position += 1
            } else {
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                position += 1
                guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid number") }
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")
                {
                    position += 1
                }
                guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid number") }
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        }
    }
}
