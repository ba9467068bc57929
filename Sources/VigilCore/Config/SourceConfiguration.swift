/// One watched source: where it is, how to read it, and how its records map to people.
public struct SourceConfiguration: Sendable {
    /// Where the document comes from.
    public enum Location: Sendable, Equatable {
        /// `http://` or `https://`, fetched through curl.
        case url(String)
        /// A local file (absolute path).
        case file(String)
        /// Pushed to `vigil serve` at `POST /hooks/{id}`, signed with one of `secrets`
        /// (Standard Webhooks, `whsec_…`).
        case push(secrets: [SecretString])
        /// Made by the source's reader itself (a program's output): no URL or path.
        case produced
    }

    /// Credentials for an HTTP source (the same as every HTTP endpoint's).
    public typealias Authentication = HTTPEndpoint.Authentication

    public var id: String
    public var location: Location
    /// The configured `type` (`"json"`, `"csv"`, a plugin's type).
    public var type: String
    /// How the document is read into records.
    public var reader: any SourceReader
    public var mapping: FieldMapping
    /// For a `url` source: its headers, credentials, TLS and timeouts, read like every
    /// HTTP endpoint's (the URL is the location's). Nil for files and pushes.
    public var endpoint: HTTPEndpoint?
    /// Share of stored records that may disappear in one run before the fetch is held as suspicious.
    public var maxDrop: Double
    public var maxBytes: Int
    /// How often `vigil serve` runs this source (cron decides for `vigil run`).
    public var every: Duration = .seconds(900)

    public init(
        id: String, location: Location, type: String, reader: any SourceReader, mapping: FieldMapping,
        endpoint: HTTPEndpoint? = nil, maxDrop: Double = 0.2, maxBytes: Int = 64 << 20
    ) {
        self.id = id
        self.location = location
        self.type = type
        self.reader = reader
        self.mapping = mapping
        self.endpoint = endpoint
        self.maxDrop = maxDrop
        self.maxBytes = maxBytes
    }
}

/// How a source's fields become a ``Record``.
///
/// Field references are member names (JSON) or column names (CSV); in JSON sources a
/// reference that starts with `$` is a path relative to the record (`$.person.name`).
public struct FieldMapping: Sendable {
    /// One mapped field beyond key, name and status.
    public struct Field: Sendable {
        /// How the value is read: as text, or as a date normalised to ISO 8601.
        public enum Kind: Sendable, Equatable {
            case text
            /// Normalised to `yyyy-MM-dd`; `formats` are tried in order (ISO 8601 always).
            case date(formats: [DatePattern])
        }

        public var from: String
        public var kind: Kind

        public init(from: String, kind: Kind = .text) {
            self.from = from
            self.kind = kind
        }
    }

    public var key: [String]
    public var name: [String]
    public var status: String?
    /// Configured field name → where to read it.
    public var fields: [(name: String, field: Field)]
    /// Normalised (trimmed, lowercased) source word → canonical status.
    public var statusMap: [String: DetaineeStatus.Canonical]
    /// For `vigil source test`: a record without a key or name, or with a key seen before,
    /// is listed in ``ParsedSource/problems`` and reading goes on, instead of failing the
    /// source. Never set for a run.
    public var collectsProblems = false

    public init(
        key: [String], name: [String], status: String?, fields: [(name: String, field: Field)] = [],
        statusMap: [String: DetaineeStatus.Canonical] = [:]
    ) {
        self.key = key
        self.name = name
        self.status = status
        self.fields = fields
        self.statusMap = statusMap
    }
}
