import Foundation
import VigilCEL
import VigilCore
import VigilHTML

/// Reads a `command` source's options: `"command": ["pdftotext", "-layout", "list.pdf", "-"]`
/// (required, an argument array), `"format"` (`json`, `csv`, `html` or `lines`, with that
/// format's own options: `records`; `delimiter`, `skipLines`, `header`; `table`, `rows`;
/// `pattern`), `"timeout"` (default `"60s"`) and `"environment"` (name → value or secret
/// reference). The source has no `url` or `path`.
public struct CommandSourceReaderFactory: SourceReaderFactory {
    public let type = "command"
    public var producesDocuments: Bool { true }

    public init() {}

    public func makeReader(options: inout ObjectReader) -> (any SourceReader)? {
        let arguments = readArguments(&options)
        let environment = readEnvironment(&options)
        let timeout = options.optionalDuration("timeout", in: Bounds.timeout) ?? .seconds(60)
        let format: (any SourceReader)?
        switch options.choice("format", ["json", "csv", "html", "lines"]) {
        case "json": format = JSONSourceReaderFactory().makeReader(options: &options)
        case "csv": format = CSVSourceReaderFactory().makeReader(options: &options)
        case "html": format = HTMLSourceReaderFactory(linkedTypes: []).makeReader(options: &options)
        case "lines":
            guard let pattern = options.string("pattern") else { return nil }
            do {
                format = try LinesSourceReader(pattern: pattern)
            } catch {
                options.report(error.description, key: "pattern")
                return nil
            }
        default: return nil
        }
        guard let arguments, let environment, let format else { return nil }
        return CommandSourceReader(arguments: arguments, environment: environment, timeout: timeout, format: format)
    }

    private func readArguments(_ options: inout ObjectReader) -> [String]? {
        guard
            let value = options.requiredValue(
                "command", expected: "an array of strings: the program, then its arguments")
        else { return nil }
        guard case .array(let elements) = value.kind, !elements.isEmpty else {
            options.report(
                "expected an array of strings such as [\"pdftotext\", \"-layout\", \"list.pdf\", \"-\"] (no shell is used)",
                key: "command")
            return nil
        }
        var arguments: [String] = []
        for element in elements {
            guard case .string(let text) = element.kind, !text.utf8.contains(0) else {
                options.report("every element of \"command\" is a string", key: "command")
                return nil
            }
            arguments.append(text)
        }
        guard !arguments[0].isEmpty else {
            options.report("the first element names the program", key: "command")
            return nil
        }
        return arguments
    }

    private func readEnvironment(_ options: inout ObjectReader) -> [String: SecretString]? {
        guard let value = options.value("environment") else { return [:] }
        guard var variables = options.reader.object(value, path: options.path(of: "environment")) else { return nil }
        defer { variables.finish() }
        var environment: [String: SecretString] = [:]
        var valid = true
        for name in variables.keys {
            guard name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil else {
                variables.report("an environment variable name uses letters, digits and '_'", key: name)
                _ = variables.value(name)
                valid = false
                continue
            }
            if let secret = variables.optionalSecret(name) { environment[name] = secret } else { valid = false }
        }
        return valid ? environment : nil
    }
}
