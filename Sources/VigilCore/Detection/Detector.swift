import Foundation
import Logging
import VigilCEL

/// Turns what a source gave into events, record writes and source health, with the
/// fail-closed guards — the part where a mistake hurts a family.
///
/// Pure: it reads no file, database or network, and takes the clock as an argument, so
/// every guard is a unit test in memory. Fetched sources and pushed documents both come
/// through ``compare(_:stored:contents:baselined:partial:)`` and ``detect(_:source:previous:at:acceptDrop:)``.
public struct Detector: Sendable {
    /// Where "failed closed" warnings go (they name the source and the cause, never a person).
    public var logger: Logger

    public init(logger: Logger = Logger(label: "vigil.detect")) {
        self.logger = logger
    }

    /// Compares fresh records with the stored ones: the stored digests, and `contents` to
    /// load the stored records that differ (for field-by-field changes). Before a baseline
    /// the records are stored as they are; `partial` compares a single pushed record with
    /// its stored self and removes nothing.
    public static func compare(
        _ parsed: ParsedSource, stored: [String: Int64],
        contents: @Sendable ([String]) throws -> [String: String], baselined: Bool, partial: Bool = false
    ) async throws -> Comparison {
        guard baselined || partial else {
            let keys = Set(parsed.records.map(\.key) + parsed.unchangedKeys)
            return .baseline(staleKeys: stored.keys.filter { !keys.contains($0) })
        }
        let diff = try await RecordDiff.compute(
            storedDigests: stored, fresh: parsed.records, unchanged: parsed.unchangedKeys, contents: contents)
        return .diff(diff, storedCount: stored.count, partial: partial)
    }

    /// What one source's reading changes. A failure (or a suspicious drop not accepted by
    /// the operator) produces no person event and keeps the stored records: one `failing`
    /// or `suspicious` event per streak, one more per new cause; a success after failures
    /// raises `recovered` before the person events.
    public func detect(
        _ reading: SourceReading, source: SourceConfiguration, previous: SourceState, at now: Date, acceptDrop: Bool
    ) -> Detection {
        var state = previous
        state.lastAttemptAt = now
        var detection = Detection(
            state: state,
            report: RunReport.SourceReport(id: source.id, outcome: .notModified, unmappedStatuses: [], unparsedDates: 0)
        )

        switch reading {
        case .failed(let failure):
            fail(failure, source: source.id, at: now, into: &detection)
        case .notModified:
            break
        case .parsed(let parsed, let validators, let comparison):
            detection.report.unmappedStatuses = parsed.unmappedStatuses.sorted()
            detection.report.unparsedDates = parsed.unparsedDates
            switch comparison {
            case .baseline(let staleKeys):
                detection.writes = RecordWrites(
                    upserts: parsed.records, deletions: staleKeys, rawDigests: parsed.rawDigests)
                detection.state.baselineAt = now
                detection.report.outcome = .baseline(records: parsed.count)
            case .diff(var diff, let storedCount, _):
                if source.reader.keepsRemovedRecords { diff.removed = [] }
                do throws(SourceFailure) {
                    if !acceptDrop {
                        try DropGuard.check(
                            removed: diff.removed.count, storedCount: storedCount, maxDrop: source.maxDrop)
                    }
                    detection.events = Self.events(of: diff, source: source.id, at: now)
                    detection.writes = RecordWrites(
                        upserts: diff.added + diff.changed.map(\.record), deletions: diff.removed.map(\.key),
                        rawDigests: parsed.rawDigests)
                    detection.report.outcome = .compared(
                        records: parsed.count, added: diff.added.count, changed: diff.changed.count,
                        removed: diff.removed.count)
                } catch {
                    fail(error, source: source.id, at: now, into: &detection)
                }
            }
            if detection.report.isFailure { break }
            detection.state.validators = validators
            if case .diff(let diff, let storedCount, let partial) = comparison,
                partial || source.reader.keepsRemovedRecords
            {
                detection.state.recordCount = (partial ? detection.state.recordCount : storedCount) + diff.added.count
            } else {
                detection.state.recordCount = parsed.count
            }
            detection.state.unmappedStatuses = detection.report.unmappedStatuses
        }
        if !detection.report.isFailure { recover(source: source.id, at: now, into: &detection) }
        return detection
    }

    /// Person events of a diff, in order: added, changed, removed.
    static func events(of diff: RecordDiff, source: String, at now: Date) -> [Event] {
        var events: [Event] = []
        events.reserveCapacity(diff.added.count + diff.changed.count + diff.removed.count)
        for record in diff.added {
            events.append(Event(kind: .added, sourceID: source, at: now, record: record))
        }
        for change in diff.changed {
            events.append(
                Event(kind: .changed, sourceID: source, at: now, record: change.record, changes: change.changes))
        }
        for record in diff.removed {
            events.append(Event(kind: .removed, sourceID: source, at: now, record: record))
        }
        return events
    }

    /// One alert per failure streak, and one more for each new cause (an HTTP 500 that
    /// becomes a login page); a cause already reported in the streak is not reported again,
    /// and other runs only log at info level, so that cron, which mails whatever a job
    /// prints, mails an outage once and not every run.
    private func fail(_ failure: SourceFailure, source: String, at now: Date, into detection: inout Detection) {
        var state = detection.state
        let kind: Event.Kind = failure.kind == "drop" ? .suspicious : .failing
        let reported = state.isFailing ? state.reportedFailureKinds : []
        if !state.isFailing {
            logger.warning("source \(source) failed closed: \(failure.description)")
            state.failingSince = now
            detection.events = [Event(kind: kind, sourceID: source, at: now, message: failure.description)]
        } else if !reported.contains(failure.kind), let previous = reported.first {
            logger.warning("source \(source) still fails closed, for another reason: \(failure.description)")
            detection.events = [
                Event(
                    kind: kind, sourceID: source, at: now,
                    message: "still failing, for another reason (before: \(SourceFailure.describe(kind: previous))): "
                        + failure.description)
            ]
        } else {
            logger.info("source \(source) still fails closed: \(failure.description)")
            detection.events = []
        }
        state.reportedFailureKinds = [failure.kind] + reported.filter { $0 != failure.kind }
        state.failureMessage = failure.description
        state.consecutiveFailures += 1
        detection.state = state
        detection.writes = nil
        detection.report.outcome = .failed(failure)
    }

    /// Clears a failure streak; its `recovered` event comes before the person events, so the
    /// room learns the source works again first.
    private func recover(source: String, at now: Date, into detection: inout Detection) {
        if let since = detection.state.failingSince {
            let runs = detection.state.consecutiveFailures
            detection.events.insert(
                Event(
                    kind: .recovered, sourceID: source, at: now,
                    message: "after \(runs) failed run\(runs == 1 ? "" : "s") since \(Timestamp.iso8601(since))"),
                at: 0)
        }
        detection.state.failingSince = nil
        detection.state.failureKind = nil
        detection.state.failureMessage = nil
        detection.state.consecutiveFailures = 0
        detection.state.lastSuccessAt = now
    }
}

/// What one source's reading changes: its health, its events, its record writes.
public struct Detection: Sendable {
    public var state: SourceState
    public var events: [Event] = []
    /// Nil when nothing is written (failed closed, or not modified).
    public var writes: RecordWrites?
    public var report: RunReport.SourceReport

    /// Adds this detection to a change set.
    public func apply(to changes: inout ChangeSet) {
        changes.sources.append(state)
        changes.events += events
        if let writes { changes.records[state.id] = writes }
    }
}
