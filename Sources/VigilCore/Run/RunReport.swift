/// What a run did, for the summary line, `-v` output and the exit code.
public struct RunReport: Sendable {
    /// What happened to one source.
    public enum SourceOutcome: Sendable {
        /// First successful fetch: records stored, no person events.
        case baseline(records: Int)
        /// HTTP 304: nothing to read.
        case notModified
        /// Fetched and compared.
        case compared(records: Int, added: Int, changed: Int, removed: Int)
        /// Failed closed: nothing applied.
        case failed(SourceFailure)
    }

    /// One source's part of the run.
    public struct SourceReport: Sendable {
        public var id: String
        public var outcome: SourceOutcome
        public var unmappedStatuses: [String]
        public var unparsedDates: Int

        public var isFailure: Bool {
            if case .failed = outcome { true } else { false }
        }
    }

    public var sources: [SourceReport] = []
    public var events = 0
    /// Events by kind (for metrics).
    public var eventsByKind: [Event.Kind: Int] = [:]
    public var queued = 0
    public var delivered = 0
    public var retrying = 0
    public var failedDeliveries = 0

    public init() {}

    /// Counts a batch's events and queued notifications (those waiting for a digest are not
    /// queued yet) in with the run.
    mutating func add(_ batch: ChangeSet) {
        events += batch.events.count
        for event in batch.events { eventsByKind[event.kind, default: 0] += 1 }
        queued += batch.notifications.filter { $0.digest == nil }.count
    }

    public var sourceFailed: Bool {
        sources.contains(where: \.isFailure)
    }

    public var deliveryFailed: Bool { retrying > 0 || failedDeliveries > 0 }

    public var exitStatus: ExitStatus {
        switch (sourceFailed, deliveryFailed) {
        case (false, false): .ok
        case (true, false): .sourceFailed
        case (false, true): .deliveryFailed
        case (true, true): .sourceAndDeliveryFailed
        }
    }
}

/// The `vigil` exit codes, documented in the README.
public enum ExitStatus: Int32, Sendable {
    case ok = 0
    /// An unexpected internal error (the state could not be written, …).
    case internalError = 1
    /// At least one source failed closed this run (fetch, parse, empty, suspicious drop).
    case sourceFailed = 2
    /// At least one notification was not delivered (will retry, or dead-lettered).
    case deliveryFailed = 3
    case sourceAndDeliveryFailed = 4
    /// Command-line usage error.
    case usage = 64
    /// Another run holds the lock; this one did nothing.
    case locked = 75
    /// The configuration is invalid.
    case configError = 78
}
