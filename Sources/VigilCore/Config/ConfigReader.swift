import VigilCEL

/// Reads a configuration document strictly, collecting every problem with its location.
///
/// Used by the core and by output plugins (through ``ObjectReader``) so that every part of
/// the configuration reports errors the same way: file, JSON path, line and column.
public final class ConfigReader {
    public let file: String
    private let bytes: [UInt8]
    public private(set) var issues: [ConfigIssue] = []

    public init(file: String, bytes: [UInt8]) {
        self.file = file
        self.bytes = bytes
    }

    /// Resolves a path written in the configuration: relative paths are relative to its file.
    public func path(_ written: String) -> String {
        if written.hasPrefix("/") { return written }
        let directory = file.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return (directory.isEmpty ? "." : directory) + "/" + written
    }

    /// Records a problem at the value found at `offset`.
    public func report(_ message: String, path: String, offset: Int?) {
        let location = offset.map { TextLocation(offset: $0, in: bytes) }
        issues.append(ConfigIssue(file: file, path: path, location: location, message: message))
    }

    /// Records a problem found in another file (a template), keeping its own location.
    public func report(_ issue: ConfigIssue) {
        issues.append(issue)
    }

    /// Reads `value` as an object; reports and returns nil when it is not one.
    public func object(_ value: JSONValue, path: String) -> ObjectReader? {
        guard case .object(let members) = value.kind else {
            report("expected an object, got \(value.typeDescription)", path: path, offset: value.offset)
            return nil
        }
        var seen: Set<String> = []
        for member in members where !seen.insert(member.key).inserted {
            report(
                "duplicate key \"\(member.key)\"", path: path + ObjectReader.pathComponent(member.key),
                offset: member.keyOffset)
        }
        return ObjectReader(reader: self, value: value, members: members, path: path)
    }

    /// Reads `value` as an array; reports and returns nil when it is not one.
    public func array(_ value: JSONValue, path: String) -> [JSONValue]? {
        guard case .array(let elements) = value.kind else {
            report("expected an array, got \(value.typeDescription)", path: path, offset: value.offset)
            return nil
        }
        return elements
    }
}

/// Reads the members of one configuration object; call ``finish()`` to report unknown keys.
///
/// A member named `"//"` is a comment (JSON has none): it may appear in any object, holds
/// any value, and is never read as configuration (``keys`` leaves it out).
public struct ObjectReader {
    /// The key of a comment member.
    public static let commentKey = "//"
    public let reader: ConfigReader
    public let value: JSONValue
    public let path: String
    private let members: [JSONMember]
    private var consumed: Set<String> = []

    init(reader: ConfigReader, value: JSONValue, members: [JSONMember], path: String) {
        self.reader = reader
        self.value = value
        self.members = members
        self.path = path
    }

    /// `.name`, or `['odd name']` when the key is not a plain identifier.
    public static func pathComponent(_ key: String) -> String {
        let plain =
            !key.isEmpty
            && key.unicodeScalars.allSatisfy {
                $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_"
            }
        return plain ? ".\(key)" : "['\(key)']"
    }

    public func path(of key: String) -> String { path + Self.pathComponent(key) }

    public var keys: [String] { members.map(\.key).filter { $0 != Self.commentKey } }

    /// The raw value of `key`, marking it as known.
    public mutating func value(_ key: String) -> JSONValue? {
        consumed.insert(key)
        return members.first { $0.key == key }?.value
    }

    public func report(_ message: String, key: String? = nil) {
        if let key, let member = members.first(where: { $0.key == key }) {
            reader.report(message, path: path(of: key), offset: member.value.offset)
        } else {
            reader.report(message, path: key.map(path(of:)) ?? path, offset: value.offset)
        }
    }

    public mutating func requiredValue(_ key: String, expected: String) -> JSONValue? {
        guard let found = value(key) else {
            reader.report("missing required key \"\(key)\" (\(expected))", path: path, offset: value.offset)
            return nil
        }
        return found
    }

    public mutating func string(_ key: String) -> String? {
        guard let found = requiredValue(key, expected: "a string") else { return nil }
        return asString(found, key: key)
    }

    public mutating func optionalString(_ key: String) -> String? {
        guard let found = value(key) else { return nil }
        return asString(found, key: key)
    }

    private func asString(_ found: JSONValue, key: String) -> String? {
        guard case .string(let text) = found.kind else {
            reader.report("expected a string, got \(found.typeDescription)", path: path(of: key), offset: found.offset)
            return nil
        }
        return text
    }

    public mutating func optionalBool(_ key: String) -> Bool? {
        guard let found = value(key) else { return nil }
        guard case .bool(let flag) = found.kind else {
            reader.report(
                "expected true or false, got \(found.typeDescription)", path: path(of: key), offset: found.offset)
            return nil
        }
        return flag
    }

    public mutating func optionalNumber(_ key: String) -> Double? {
        guard let found = value(key) else { return nil }
        guard case .number(let text) = found.kind, let number = Double(text) else {
            reader.report("expected a number, got \(found.typeDescription)", path: path(of: key), offset: found.offset)
            return nil
        }
        return number
    }

    public mutating func optionalInteger(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let found = value(key) else { return nil }
        guard case .number(let text) = found.kind, let number = Int(text), range.contains(number) else {
            reader.report(
                "expected a whole number from \(range.lowerBound) to \(range.upperBound), got \(found.scalarText ?? found.typeDescription)",
                path: path(of: key), offset: found.offset)
            return nil
        }
        return number
    }

    /// A duration string such as `"15m"`, `"35d"` or `"1h30m"`.
    public mutating func optionalDuration(_ key: String) -> Duration? {
        guard let text = optionalString(key) else { return nil }
        guard let duration = DurationParser.parse(text) else {
            report("expected a duration such as \"30s\", \"15m\", \"6h\" or \"35d\", got \"\(text)\"", key: key)
            return nil
        }
        return duration
    }

    /// A duration that bounds something (a timeout, an interval): zero, and values too large
    /// to be meant, are refused instead of silently disabling the bound.
    public mutating func optionalDuration(_ key: String, in range: ClosedRange<Duration>) -> Duration? {
        guard let duration = optionalDuration(key) else { return nil }
        guard range.contains(duration) else {
            report(
                "expected a duration from \"\(DurationParser.format(range.lowerBound))\" to "
                    + "\"\(DurationParser.format(range.upperBound))\", got \"\(DurationParser.format(duration))\"",
                key: key)
            return nil
        }
        return duration
    }

    /// One of `choices`.
    public mutating func choice(_ key: String, _ choices: [String], default fallback: String? = nil) -> String? {
        let text = fallback == nil ? string(key) : (optionalString(key) ?? fallback)
        guard let text else { return nil }
        guard choices.contains(text) else {
            report("expected one of \(choices.map { "\"\($0)\"" }.joined(separator: ", ")), got \"\(text)\"", key: key)
            return nil
        }
        return text
    }

    /// A string, or a non-empty array of strings.
    public mutating func stringOrStrings(_ key: String, required: Bool) -> [String]? {
        guard let found = required ? requiredValue(key, expected: "a string or an array of strings") : value(key) else {
            return nil
        }
        switch found.kind {
        case .string(let text): return [text]
        case .array(let elements) where !elements.isEmpty:
            var strings: [String] = []
            for (index, element) in elements.enumerated() {
                guard case .string(let text) = element.kind else {
                    reader.report(
                        "expected a string, got \(element.typeDescription)", path: path(of: key) + "[\(index)]",
                        offset: element.offset)
                    return nil
                }
                strings.append(text)
            }
            return strings
        default:
            reader.report(
                "expected a string or a non-empty array of strings, got \(found.typeDescription)", path: path(of: key),
                offset: found.offset)
            return nil
        }
    }

    /// A secret: a literal, or text with `${env:NAME}` / `${file:PATH}` references.
    public mutating func optionalSecret(_ key: String) -> SecretString? {
        optionalString(key).flatMap { secret($0, key: key) }
    }

    /// A required secret (see ``optionalSecret(_:)``).
    public mutating func requiredSecret(_ key: String) -> SecretString? {
        string(key).flatMap { secret($0, key: key) }
    }

    private func secret(_ text: String, key: String) -> SecretString? {
        do {
            return try SecretString(text)
        } catch {
            report(error.description, key: key)
            return nil
        }
    }

    /// Reports every key that was never read: a typo must not be silently ignored.
    public func finish() {
        for member in members where !consumed.contains(member.key) && member.key != Self.commentKey {
            reader.report(
                "unknown key \"\(member.key)\"; expected one of: \(consumed.sorted().joined(separator: ", "))",
                path: path(of: member.key), offset: member.keyOffset)
        }
    }
}
