import Foundation

/// The configuration's recipients as written: inline ones, and files of recipients read on
/// every load (``RecipientFile``). A recipient id is unique across all of them.
public struct RecipientList: Sendable {
    /// Inline recipients with their JSON paths.
    var inline: [(recipient: Recipient, path: String)] = []
    public var files: [RecipientFile] = []
    /// Where each recipient was read: `$.recipients[i]`, or `sponsors.csv:12` for a file's row
    /// (set by ``resolve()`` through the configuration).
    public internal(set) var places: [String: String] = [:]

    public init() {}

    /// Every recipient, inline ones first then each file's rows in order, and the problems
    /// found (a row's own, or an id given twice, with both places).
    public func resolve() -> (recipients: [Recipient], issues: [ConfigIssue]) {
        let (recipients, issues, _) = resolveWithPlaces()
        return (recipients, issues)
    }

    /// ``resolve()``, with where each recipient was read.
    func resolveWithPlaces() -> (recipients: [Recipient], issues: [ConfigIssue], places: [String: String]) {
        var recipients = inline.map(\.recipient)
        var issues: [ConfigIssue] = []
        var places = Dictionary(inline.map { ($0.recipient.id, $0.path) }, uniquingKeysWith: { first, _ in first })
        for file in files {
            let (rows, problems) = file.load()
            issues += problems
            let name = URL(fileURLWithPath: file.path).lastPathComponent
            for (recipient, line) in rows {
                if let other = places[recipient.id] {
                    issues.append(
                        ConfigIssue(
                            file: file.path, path: file.configPath, location: TextLocation(line: line, column: 1),
                            message: "duplicate recipient id \"\(recipient.id)\" (also \(other))"))
                    continue
                }
                places[recipient.id] = "\(name):\(line)"
                recipients.append(recipient)
            }
        }
        return (recipients, issues, places)
    }
}
