import Foundation

/// What Vigil remembers about a source between runs (never any secret).
public struct SourceState: Sendable, Equatable {
    public var id: String
    public var validators: Validators
    /// When the first successful fetch was stored; nil until then (the next success is a baseline).
    public var baselineAt: Date?
    public var lastSuccessAt: Date?
    public var lastAttemptAt: Date?
    /// Start of the current failure streak; nil while healthy.
    public var failingSince: Date?
    /// During a failure streak: the kinds of failure reported so far (``SourceFailure/kind``),
    /// the current one first, comma-separated.
    public var failureKind: String?
    public var failureMessage: String?
    public var consecutiveFailures: Int
    public var recordCount: Int
    public var unmappedStatuses: [String]

    public init(id: String) {
        self.id = id
        validators = Validators()
        consecutiveFailures = 0
        recordCount = 0
        unmappedStatuses = []
    }

    public var isFailing: Bool { failingSince != nil }

    /// ``failureKind`` as a list: the current kind first, then the others this streak reported.
    public var reportedFailureKinds: [String] {
        get { failureKind?.split(separator: ",").map(String.init) ?? [] }
        set { failureKind = newValue.isEmpty ? nil : newValue.joined(separator: ",") }
    }
}

/// A stored record with its bookkeeping, for `vigil status`.
public struct StoredRecord: Sendable {
    public var sourceID: String
    public var record: Record
    public var firstSeen: Date
    public var lastChanged: Date
}

/// A stored event, for `vigil history`.
public struct StoredEvent: Sendable {
    public var sequence: Int64
    public var runID: Int64
    public var event: Event
}
