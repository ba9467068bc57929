/// Reads one kind of source document into records: the extension point for new source
/// kinds (`json`, `csv` and `push` are built in; HTML, feeds, spreadsheets and programs are
/// plugins).
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
    /// True for readers of HTML: a `text/html` answer is then the document, not a login page.
    var readsHTML: Bool { get }
    /// True when one reading fetches more than the first document (further pages, an export
    /// link). A 304 for the first page cannot vouch for the others, so no validators are sent.
    var followsLinks: Bool { get }
    /// True for sources whose records are news (a feed's items): a new one is matched
    /// against the people other sources track, raising a `mention` event per person named.
    var raisesMentions: Bool { get }
    /// True for sources that publish a moving window (a feed's latest items): a record that
    /// leaves it is kept as it was, not removed, and no drop guard applies.
    var keepsRemovedRecords: Bool { get }
    /// The secret references among the reader's own options, by their path below the
    /// source (`environment.TOKEN`), so `vigil check` can resolve them without printing them.
    var secretReferences: [(path: String, secret: SecretString)] { get }
    /// The records of one non-empty document, mapped with `mapping`.
    func read(_ document: [UInt8], mapping: FieldMapping) async throws(SourceFailure) -> ParsedSource
    /// The records of one fetched document, with its type and address and a way to fetch
    /// the documents it links to. The default reads the bytes with ``read(_:mapping:)``.
    func read(_ document: SourceDocument, context: SourceReadContext) async throws(SourceFailure) -> ParsedSource
    /// For readers whose factory ``SourceReaderFactory/producesDocuments``: makes the
    /// document (runs a program) instead of a fetch.
    func produce(context: SourceReadContext) async throws(SourceFailure) -> SourceDocument
    /// What is wrong with a field reference of the mapping (`key`, `name`, `status` or a
    /// field's `from`), checked when the configuration is read; nil when it can be read.
    /// A selector-based reader says here that a selector does not compile.
    func problem(withReference reference: String) -> String?
}

extension SourceReader {
    public var readsHTML: Bool { false }
    public var followsLinks: Bool { false }
    public var raisesMentions: Bool { false }
    public var secretReferences: [(path: String, secret: SecretString)] { [] }
    public var keepsRemovedRecords: Bool { false }

    public func read(_ document: SourceDocument, context: SourceReadContext) async throws(SourceFailure)
        -> ParsedSource
    {
        try await read(document.bytes, mapping: context.mapping)
    }

    public func produce(context: SourceReadContext) async throws(SourceFailure) -> SourceDocument {
        throw .fetch("a \(documentName) source is fetched from its url or path")
    }

    public func problem(withReference reference: String) -> String? { nil }
}

/// One document of a source: its bytes, the `Content-Type` it was served with, and where
/// it came from.
public struct SourceDocument: Sendable {
    public var bytes: [UInt8]
    public var contentType: String?
    /// The address (`https://…`, or `file:///…` for a local file) after redirects, against
    /// which relative links resolve; nil for pushed documents and a program's output.
    public var url: String?

    public init(bytes: [UInt8], contentType: String? = nil, url: String? = nil) {
        self.bytes = bytes
        self.contentType = contentType
        self.url = url
    }

    /// True when the document holds nothing but spaces, tabs and line breaks.
    public var isBlank: Bool { Self.isBlank(bytes) }

    static func isBlank(_ bytes: [UInt8]) -> Bool {
        !bytes.contains { !Self.isSpace($0) }
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// True when the bytes begin, after a byte order mark and whitespace, like an HTML page
    /// (`<!DOCTYPE html` or `<html`, in any case and spacing): what a login wall or a captcha
    /// sends instead of a feed or a spreadsheet.
    public static func looksLikeHTMLPage(_ bytes: [UInt8]) -> Bool {
        var head = bytes.prefix(512)
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { head = head.dropFirst(3) }
        let start = String(decoding: head.filter { !isSpace($0) }.prefix(14), as: UTF8.self).lowercased()
        return start.hasPrefix("<!doctypehtml") || start.hasPrefix("<html")
    }
}

/// What a reader may use beside its document.
public struct SourceReadContext: Sendable {
    /// The configured source id, for messages.
    public var sourceID: String
    public var mapping: FieldMapping
    /// The configuration's folder: relative paths (a program, a `${file:…}`) resolve here.
    public var directory: String
    /// The environment `${env:…}` references resolve in.
    public var environment: [String: String]
    /// The largest document a fetch may return.
    public var maxBytes: Int
    /// Fetches another document of the same source (an absolute `http(s)://` or `file://`
    /// address) with the source's HTTP settings; credentials only go to the source's origin.
    public var fetch: @Sendable (String) async throws(SourceFailure) -> SourceDocument
    /// Records stored from the last reading, by the digest of their bytes: a reader may skip
    /// parsing those whose bytes are unchanged (the JSON reader does). Nil before a baseline.
    public var knownRecords: KnownRecords?

    public init(
        sourceID: String, mapping: FieldMapping, directory: String = ".", environment: [String: String] = [:],
        maxBytes: Int = 64 << 20,
        fetch: @escaping @Sendable (String) async throws(SourceFailure) -> SourceDocument = {
            url throws(SourceFailure) in
            throw .fetch("\(url) cannot be fetched here: this reading has no network access")
        }
    ) {
        self.sourceID = sourceID
        self.mapping = mapping
        self.directory = directory
        self.environment = environment
        self.maxBytes = maxBytes
        self.fetch = fetch
    }
}

/// Builds readers of one source `type` from the source's configuration object.
public protocol SourceReaderFactory: Sendable {
    /// The `type` value in the configuration (`"json"`, `"csv"`).
    var type: String { get }
    /// True when documents of this type are pushed to `vigil serve` instead of fetched.
    var isPushed: Bool { get }
    /// True when the reader makes its own document (a program's output): the source then
    /// has no `url` or `path`.
    var producesDocuments: Bool { get }
    /// The key and name references used when the source's configuration gives none (a feed's
    /// items always have an id and a title); nil when the configuration must give them.
    var defaultMapping: (key: [String], name: [String])? { get }
    /// Reads the type's own options from `options` (the shared keys — `id`, `type`, `url`,
    /// `path`, mapping, guards, HTTP settings — are read by the core), reporting problems
    /// through it. Returns nil when the options are invalid.
    func makeReader(options: inout ObjectReader) -> (any SourceReader)?
}

extension SourceReaderFactory {
    public var isPushed: Bool { false }
    public var producesDocuments: Bool { false }
    public var defaultMapping: (key: [String], name: [String])? { nil }
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
