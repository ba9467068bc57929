/// A date layout such as `dd.MM.yyyy` or `d/M/yyyy`, used to normalise source dates to `yyyy-MM-dd`.
///
/// Tokens: `yyyy` (year), `MM`/`M` (month), `dd`/`d` (day); any other character must match
/// literally.
public struct DatePattern: Sendable, Equatable, CustomStringConvertible {
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
        let bytes = Array(text.utf8.prefix(10))
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }
        guard digits else { return nil }
        let rest = text.utf8.dropFirst(10)
        guard rest.isEmpty || rest.first == UInt8(ascii: "T") || rest.first == UInt8(ascii: " ") else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `yyyy-MM-dd` when `text` matches this pattern and is a real calendar date.
    public func normalize(_ text: String) -> String? {
        var characters = Substring(text)
        var year = 0
        var month = 0
        var day = 0
        for token in tokens {
            switch token {
            case .literal(let character):
                guard characters.first == character else { return nil }
                characters = characters.dropFirst()
            case .year, .month, .day:
                let maxDigits = token == .year ? 4 : 2
                let digits = characters.prefix(maxDigits).prefix(while: { $0.isASCII && $0.isNumber })
                guard !digits.isEmpty, let number = Int(digits) else { return nil }
                if token == .year, digits.count != 4 { return nil }
                characters = characters.dropFirst(digits.count)
                switch token {
                case .year: year = number
                case .month: month = number
                default: day = number
                }
            }
        }
        guard characters.isEmpty, (1...12).contains(month), day >= 1, day <= Self.days(in: month, year: year) else {
            return nil
        }
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    private static func days(in month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
