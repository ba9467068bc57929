import VigilCore

/// `command` sources: a program's standard output read as `json`, `csv`, `html` or `lines`
/// (with the same mapping keys as those sources): a PDF through `pdftotext -layout`, a page
/// behind JavaScript through an external fetcher, a list only a script can reach.
///
/// The program runs without a shell, with a minimal environment (`PATH`, `LANG`) plus the
/// configured `environment` (values may be `${env:…}` and `${file:…}` references), in the
/// configuration's folder, for at most `timeout`, printing at most the source's `maxBytes`.
/// A non-zero exit, a signal, the timeout or the cap fails the source closed, with the
/// program's last lines of standard error in the alert.
public struct CommandSourceReader: SourceReader {
    public var arguments: [String]
    public var environment: [String: SecretString]
    public var timeout: Duration
    /// Reads the program's output.
    public var format: any SourceReader

    public var documentName: String { "\(format.documentName) from \(arguments.first ?? "a program")" }
    public var accept: String { format.accept }

    public init(
        arguments: [String], environment: [String: SecretString] = [:], timeout: Duration = .seconds(60),
        format: any SourceReader
    ) {
        self.arguments = arguments
        self.environment = environment
        self.timeout = timeout
        self.format = format
    }

    public var secretReferences: [(path: String, secret: SecretString)] {
        environment.sorted { $0.key < $1.key }.map { ("environment.\($0.key)", $0.value) }
    }

    public func problem(withReference reference: String) -> String? {
        format.problem(withReference: reference)
    }

    public func produce(context: SourceReadContext) async throws(SourceFailure) -> SourceDocument {
        var resolved: [String: String] = [:]
        for (name, secret) in environment {
            do {
                resolved[name] = try secret.resolve(environment: context.environment, directory: context.directory)
            } catch {
                throw .fetch("environment variable \(name): \(error.description)")
            }
        }
        let runner = ProgramRunner(
            arguments: arguments, environment: resolved, directory: context.directory, timeout: timeout,
            maxOutput: context.maxBytes, secrets: Array(resolved.values))
        return SourceDocument(bytes: try await runner.run())
    }

    public func read(_ document: [UInt8], mapping: FieldMapping) async throws(SourceFailure) -> ParsedSource {
        try await format.read(document, mapping: mapping)
    }

    public func read(_ document: SourceDocument, context: SourceReadContext) async throws(SourceFailure)
        -> ParsedSource
    {
        try await format.read(document, context: context)
    }
}
