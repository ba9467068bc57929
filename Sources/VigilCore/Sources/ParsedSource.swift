/// The records read from one fetch of a source, and what did not map cleanly.
public struct ParsedSource: Sendable {
    public var records: [Record]
    /// Status words no status map covers, kept as-is on the records.
    public var unmappedStatuses: Set<String>
    /// How many date values matched no configured format and were kept as text.
    public var unparsedDates: Int
    /// What would fail a run, when the mapping ``FieldMapping/collectsProblems`` (`vigil source test`).
    public var problems: [String] = []

    public init(records: [Record], unmappedStatuses: Set<String> = [], unparsedDates: Int = 0) {
        self.records = records
        self.unmappedStatuses = unmappedStatuses
        self.unparsedDates = unparsedDates
    }
}
