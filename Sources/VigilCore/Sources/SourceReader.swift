/// Reads one kind of source document into records: the extension point for new source
/// kinds (`json`, `csv` and `push` are built in; HTML, feeds or spreadsheets are plugins).
///
/// A reader is made once per configured source by its ``SourceReaderFactory``, from the
/// source's own options, and may be called concurrently. It throws a ``SourceFailure``
/// that says where and what (line and column, record number, field) and never returns a
/// partial list as if it were whole: the source then fails closed.
public protocol SourceReader: Sendable {
    /// The document kind in messages ("expected JSON, the server sent text/html").
    var documentName: String { get }
    /// The `Accept` header a fetch sends.
    var accept: String { get }
    /// The records of one non-empty document, mapped with `mapping`.
    func read(_ document: [UInt8], mapping: FieldMapping) async throws(SourceFailure) -> ParsedSource
}

/// Builds readers of one source `type` from the source's configuration object.
public protocol SourceReaderFactory: Sendable {
    /// The `type` value in the configuration (`"json"`, `"csv"`).
    var type: String { get }
    /// True when documents of this type are pushed to `vigil serve` instead of fetched.
    var isPushed: Bool { get }
    /// Reads the type's own options from `options` (the shared keys — `id`, `type`, `url`,
    /// `path`, mapping, guards, HTTP settings — are read by the core), reporting problems
    /// through it. Returns nil when the options are invalid.
    func makeReader(options: inout ObjectReader) -> (any SourceReader)?
}

extension SourceReaderFactory {
    public var isPushed: Bool { false }
}

/// The source types a program knows, by their configuration `type`.
///
/// The core registers `json`, `csv` and `push`; a program adds the source plugins it ships.
public struct SourceRegistry: Sendable {
    private var factories: [String: any SourceReaderFactory] = [:]
    /// The types in the order they were registered (as error messages list them).
    public private(set) var types: [String] = []

    public init(_ factories: [any SourceReaderFactory] = SourceRegistry.builtIn) {
        for factory in factories { register(factory) }
    }

    /// The source types of the core.
    public static let builtIn: [any SourceReaderFactory] = [
        JSONSourceReaderFactory(), CSVSourceReaderFactory(), JSONSourceReaderFactory(pushed: true),
    ]

    public mutating func register(_ factory: any SourceReaderFactory) {
        if factories.updateValue(factory, forKey: factory.type) == nil { types.append(factory.type) }
    }

    public func factory(for type: String) -> (any SourceReaderFactory)? { factories[type] }
}
