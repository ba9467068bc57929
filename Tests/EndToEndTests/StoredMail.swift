import Foundation
import Testing

/// Messages the loopback SMTP server stored, read back with Python's email package
/// (`Tests/Servers/parse_mail.py`): an implementation independent of Vigil's.
enum StoredMail {
    /// Messages stored for `recipient`, parsed, in no particular order.
    static func messages(to recipient: String, in directory: String) throws -> [[String: Any]] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".json") && $0 != "connections.json" }
            .filter { name in
                (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8))?.contains("\"\(recipient)\"")
                    == true
            }
            .map { directory + "/" + $0.dropLast(5) + ".eml" }
        guard !files.isEmpty else { return [] }
        let parser = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Servers/parse_mail.py").standardizedFileURL.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", parser] + files
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try #require(try JSONSerialization.jsonObject(with: output) as? [[String: Any]])
    }

    /// The decoded body of a message's part of `type`.
    static func body(_ message: [String: Any], _ type: String) -> String {
        let parts = message["parts"] as? [[String: Any]] ?? []
        return parts.first { $0["content_type"] as? String == type }?["body"] as? String ?? ""
    }
}
