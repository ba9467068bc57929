/// What reading one source gave this run: the input of detection.
public enum SourceReading: Sendable {
    /// HTTP 304: the document did not change.
    case notModified
    /// Read into records and compared with the stored ones; `validators` are the fresh ones.
    case parsed(ParsedSource, validators: Validators, Comparison)
    /// The document could not be fetched or read: nothing may be applied.
    case failed(SourceFailure)
}

/// The fresh records of a source against the stored ones.
public enum Comparison: Sendable {
    /// No baseline yet: store everything; `staleKeys` are leftovers to delete.
    case baseline(staleKeys: [String])
    /// `partial`: a single pushed record, compared with its stored self only.
    case diff(RecordDiff, storedCount: Int, partial: Bool)
}
