/// The records read from one fetch of a source, and what did not map cleanly.
public struct ParsedSource: Sendable {
    public var records: [Record]
    /// Status words no status map covers, kept as-is on the records.
    public var unmappedStatuses: Set<String>
    /// How many date values matched no configured format and were kept as text.
    public var unparsedDates: Int
    /// What would fail a run, when the mapping ``FieldMapping/collectsProblems`` (`vigil source test`).
    public var problems: [String] = []
    /// Keys of records whose bytes were those of a known record (``KnownRecords``): present
    /// and unchanged, not built again.
    public var unchangedKeys: [String] = []
    /// The digest of the bytes each built record came from, for records built cleanly (see
    /// ``KnownRecords``), stored so the next reading can skip them.
    public var rawDigests: [String: Int64] = [:]

    /// How many records the source gave: built and unchanged.
    public var count: Int { records.count + unchangedKeys.count }

    public init(records: [Record], unmappedStatuses: Set<String> = [], unparsedDates: Int = 0) {
        self.records = records
        self.unmappedStatuses = unmappedStatuses
        self.unparsedDates = unparsedDates
    }
}
