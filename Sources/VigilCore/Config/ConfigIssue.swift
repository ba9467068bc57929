/// One problem in a configuration file, with where it is and what was expected.
public struct ConfigIssue: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// JSON path of the offending value, e.g. `$.sources[2].key`.
    public var path: String
    public var location: TextLocation?
    public var message: String

    public init(file: String, path: String, location: TextLocation?, message: String) {
        self.file = file
        self.path = path
        self.location = location
        self.message = message
    }

    /// `config.json:12:7: $.sources[0].kind: expected one of "json", "csv", got "xml"`
    public var description: String {
        let place = location.map { "\(file):\($0.line):\($0.column)" } ?? file
        return "\(place): \(path): \(message)"
    }
}

/// Every problem found in a configuration (never just the first).
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var issues: [ConfigIssue]

    public init(_ issues: [ConfigIssue]) {
        self.issues = issues
    }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
