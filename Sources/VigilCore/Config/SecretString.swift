import Foundation

/// A configuration string that may hold secrets by reference: `${env:NAME}` or `${file:PATH}`.
///
/// References are resolved only when the value is needed (at run time), and neither the
/// template nor the resolved value is ever printed: `description` is redacted.
public struct SecretString: Sendable, Equatable, CustomStringConvertible {
    /// Why a reference is malformed or cannot be resolved. Never contains the secret.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(String)
        case missingEnvironment(String)
        case unreadableFile(String)

        public var description: String {
            switch self {
            case .malformed(let why): why
            case .missingEnvironment(let name): "environment variable \(name) is not set"
            case .unreadableFile(let path): "cannot read secret file \(path)"
            }
        }
    }

    enum Part: Sendable, Equatable {
        case literal(String)
        case environment(String)
        case file(String)
    }

    let parts: [Part]

    public init(_ template: String) throws(Failure) {
        var parts: [Part] = []
        var rest = Substring(template)
        while let start = rest.range(of: "${") {
            if start.lowerBound > rest.startIndex { parts.append(.literal(String(rest[..<start.lowerBound]))) }
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw .malformed("unterminated \"${\" reference; expected ${env:NAME} or ${file:PATH}")
            }
            let reference = rest[start.upperBound..<end]
            if reference.hasPrefix("env:"), reference.count > 4 {
                parts.append(.environment(String(reference.dropFirst(4))))
            } else if reference.hasPrefix("file:"), reference.count > 5 {
                parts.append(.file(String(reference.dropFirst(5))))
            } else {
                throw .malformed(
                    "unknown reference \"${\(reference.prefix(while: { $0 != ":" }))…}\"; expected ${env:NAME} or ${file:PATH}"
                )
            }
            rest = rest[rest.index(after: end)...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        self.parts = parts
    }

    /// Resolves references. File paths are relative to `directory`; one trailing newline is dropped.
    public func resolve(
        environment: [String: String] = ProcessInfo.processInfo.environment, directory: String
    ) throws(Failure) -> String {
        var output = ""
        for part in parts {
            switch part {
            case .literal(let text): output += text
            case .environment(let name):
                guard let value = environment[name] else { throw .missingEnvironment(name) }
                output += value
            case .file(let path):
                let full = path.hasPrefix("/") ? path : directory + "/" + path
                guard let data = FileManager.default.contents(atPath: full),
                    var text = String(data: data, encoding: .utf8)
                else { throw .unreadableFile(path) }
                // "\r\n" is one Character, so removeLast() drops either line ending whole.
                if text.hasSuffix("\r\n") || text.hasSuffix("\n") { text.removeLast() }
                output += text
            }
        }
        return output
    }

    public var description: String { "<secret>" }
}
