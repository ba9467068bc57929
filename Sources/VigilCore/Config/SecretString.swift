import Foundation

/// A configuration string that may hold secrets by reference: `${env:NAME}`, `${file:PATH}`,
/// or `${credential:NAME}` (a systemd credential: the file `NAME` in `$CREDENTIALS_DIRECTORY`,
/// which a unit's `LoadCredential=NAME:PATH` provides).
///
/// References are resolved only when the value is needed (at run time), and neither the
/// template nor the resolved value is ever printed: `description` is redacted.
public struct SecretString: Sendable, Equatable, CustomStringConvertible {
    /// Why a reference is malformed or cannot be resolved. Never contains the secret.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(String)
        case missingEnvironment(String)
        case unreadableFile(String)
        case missingCredential(String)

        public var description: String {
            switch self {
            case .malformed(let why): why
            case .missingEnvironment(let name): "environment variable \(name) is not set"
            case .unreadableFile(let path): "cannot read secret file \(path)"
            case .missingCredential(let name):
                "systemd credential \(name) is not loaded (CREDENTIALS_DIRECTORY is unset or has no \(name); "
                    + "give the unit LoadCredential=\(name):PATH)"
            }
        }
    }

    enum Part: Sendable, Equatable {
        case literal(String)
        case environment(String)
        case file(String)
        case credential(String)
    }

    let parts: [Part]

    public init(_ template: String) throws(Failure) {
        var parts: [Part] = []
        var rest = Substring(template)
        while let start = rest.range(of: "${") {
            if start.lowerBound > rest.startIndex { parts.append(.literal(String(rest[..<start.lowerBound]))) }
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw .malformed(
                    "unterminated \"${\" reference; expected ${env:NAME}, ${file:PATH} or ${credential:NAME}")
            }
            let reference = rest[start.upperBound..<end]
            if reference.hasPrefix("env:"), reference.count > 4 {
                parts.append(.environment(String(reference.dropFirst(4))))
            } else if reference.hasPrefix("file:"), reference.count > 5 {
                parts.append(.file(String(reference.dropFirst(5))))
            } else if reference.hasPrefix("credential:"), reference.count > 11 {
                let name = String(reference.dropFirst(11))
                guard !name.contains("/"), name != ".", name != ".." else {
                    throw .malformed("a credential name is a file name in $CREDENTIALS_DIRECTORY, got \"\(name)\"")
                }
                parts.append(.credential(name))
            } else {
                throw .malformed(
                    "unknown reference \"${\(reference.prefix(while: { $0 != ":" }))…}\"; "
                        + "expected ${env:NAME}, ${file:PATH} or ${credential:NAME}"
                )
            }
            rest = rest[rest.index(after: end)...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        self.parts = parts
    }

    /// Resolves references. File paths are relative to `directory`; one trailing newline is dropped.
    public func resolve(
        environment given: [String: String]? = nil, directory: String
    ) throws(Failure) -> String {
        // The process environment is copied only when a reference needs it (a push checks
        // its source's secret on every request).
        var environment: [String: String] { given ?? ProcessInfo.processInfo.environment }
        var output = ""
        for part in parts {
            switch part {
            case .literal(let text): output += text
            case .environment(let name):
                guard let value = environment[name] else { throw .missingEnvironment(name) }
                output += value
            case .file(let path):
                let full = path.hasPrefix("/") ? path : directory + "/" + path
                guard let text = Self.readSecretFile(full) else { throw .unreadableFile(path) }
                output += text
            case .credential(let name):
                guard let credentials = environment["CREDENTIALS_DIRECTORY"], !credentials.isEmpty,
                    let text = Self.readSecretFile(credentials + "/" + name)
                else { throw .missingCredential(name) }
                output += text
            }
        }
        return output
    }

    /// A secret file's UTF-8 text, without one trailing line ending.
    private static func readSecretFile(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8)
        else { return nil }
        // "\r\n" is one Character, so removeLast() drops either line ending whole.
        if text.hasSuffix("\r\n") || text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    public var description: String { "<secret>" }
}
