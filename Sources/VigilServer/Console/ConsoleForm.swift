import Foundation

/// `application/x-www-form-urlencoded` fields (form posts and query strings).
enum ConsoleForm {
    static func decode(_ text: Substring) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = unescape(parts[0])
            guard !name.isEmpty, fields[name] == nil else { continue }
            fields[name] = parts.count > 1 ? unescape(parts[1]) : ""
        }
        return fields
    }

    static func decode(_ text: String) -> [String: String] { decode(Substring(text)) }

    static func encode(_ fields: [String: String]) -> String {
        fields.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { "\(escape($0.key))=\(escape($0.value))" }
            .joined(separator: "&")
    }

    private static func unescape(_ text: Substring) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }

    private static let unreserved = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
