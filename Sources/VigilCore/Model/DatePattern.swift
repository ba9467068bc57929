/// A date layout such as `dd.MM.yyyy` or `d/M/yyyy`, used to normalise source dates to `yyyy-MM-dd`.
///
/// Tokens: `yyyy` (year), `MM`/`M` (month), `dd`/`d` (day); any other character must match
/// literally.
public struct DatePattern: Sendable, Equatable, CustomStringConvertible {
    /// A pattern that cannot be used, and why.
    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    enum Token: Sendable, Equatable {
        case year, month, day
        case literal(Character)
    }

    let tokens: [Token]
    public let description: String

    public init(_ text: String) throws(SyntaxError) {
        var tokens: [Token] = []
        var rest = Substring(text)
        while let first = rest.first {
            if rest.hasPrefix("yyyy") {
                tokens.append(.year)
                rest = rest.dropFirst(4)
            } else if first == "M" {
                tokens.append(.month)
                rest = rest.drop(while: { $0 == "M" })
            } else if first == "d" {
                tokens.append(.day)
                rest = rest.drop(while: { $0 == "d" })
            } else if first.isLetter {
                throw SyntaxError(description: "unsupported date token \"\(first)\" in \"\(text)\"; use yyyy, MM, dd")
            } else {
                tokens.append(.literal(first))
                rest = rest.dropFirst()
            }
        }
        guard tokens.contains(.year), tokens.contains(.month), tokens.contains(.day) else {
            throw SyntaxError(description: "a date format needs yyyy, MM and dd, got \"\(text)\"")
        }
        self.tokens = tokens
        self.description = text
    }

    /// ISO 8601 (`yyyy-MM-dd`, optionally followed by a time), tried before any configured pattern.
    public static func normalizeISO(_ text: String) -> String? {
        var copy = text
        let length: Int? = copy.withUTF8 { bytes in
            func digit(_ index: Int) -> Bool { bytes[index] >= 0x30 && bytes[index] <= 0x39 }
            guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                digit(0), digit(1), digit(2), digit(3), digit(5), digit(6), digit(8), digit(9),
                bytes.count == 10 || bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " ")
            else { return nil }
            return bytes.count
        }
        guard let length else { return nil }
        // Exactly yyyy-MM-dd is returned as it is, without a copy.
        return length == 10 ? text : String(text.utf8.prefix(10)) ?? nil
    }

    /// `yyyy-MM-dd` when `text` matches this pattern and is a real calendar date.
    public func normalize(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var position = 0
            var year = 0
            var month = 0
            var day = 0
            for token in tokens {
                switch token {
                case .literal(let character):
                    // Literals are matched byte for byte against the character's UTF-8 form.
                    for byte in character.utf8 {
                        guard position < bytes.count, bytes[position] == byte else { return nil }
                        position += 1
                    }
                case .year, .month, .day:
                    let maxDigits = token == .year ? 4 : 2
                    var number = 0
                    var digits = 0
                    while digits < maxDigits, position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
                        number = number * 10 + Int(bytes[position] - 0x30)
                        digits += 1
                        position += 1
                    }
                    guard digits > 0, token != .year || digits == 4 else { return nil }
                    switch token {
                    case .year: year = number
                    case .month: month = number
                    default: day = number
                    }
                }
            }
            guard position == bytes.count, (1...12).contains(month), day >= 1, day <= Self.days(in: month, year: year)
            else { return nil }
            return Self.iso(year: year, month: month, day: day)
        }
    }

    private static func iso(year: Int, month: Int, day: Int) -> String {
        let digits: [UInt8] = [
            UInt8(year / 1000 % 10), UInt8(year / 100 % 10), UInt8(year / 10 % 10), UInt8(year % 10), 0xFF,
            UInt8(month / 10), UInt8(month % 10), 0xFF, UInt8(day / 10), UInt8(day % 10),
        ]
        return String(decoding: digits.map { $0 == 0xFF ? UInt8(ascii: "-") : $0 + 0x30 }, as: UTF8.self)
    }

    private static func days(in month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
