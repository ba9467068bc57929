import Foundation

extension WatchCycle {
    /// One push waiting in a batch: the verified body and its `webhook-id`.
    public struct PendingPush: Sendable {
        public var body: [UInt8]
        public var webhookID: String?

        public init(body: [UInt8], webhookID: String?) {
            self.body = body
            self.webhookID = webhookID
        }
    }

    /// Applies pushes that arrived together for one source, in their order, and answers each:
    /// group commit. Consecutive single-record pushes (`{"record": {…}}`) for different
    /// records are detected, routed and committed as one change set — one transaction, one
    /// run — and each push's answer counts the events of its own record. A whole document,
    /// or a record pushed again within the batch, starts a new group after the one before
    /// it has committed, so every push sees what the pushes before it stored, exactly as
    /// when they are applied one by one. A `webhook-id` seen earlier in the batch is a replay.
    public func pushBatch(sourceID: String, _ pushes: [PendingPush], options: Options = Options(deliver: false)) async
        -> [Result<RunReport, PushFailure>]
    {
        var results = [Result<RunReport, PushFailure>?](repeating: nil, count: pushes.count)
        guard let source = configuration.sources.first(where: { $0.id == sourceID }) else {
            return pushes.map { _ in .failure(.invalid(.parse("no source \"\(sourceID)\""))) }
        }
        var group: [(index: Int, parsed: ParsedSource)] = []
        var keys: Set<String> = []
        var ids: Set<String> = []

        func flush() async {
            guard !group.isEmpty else { return }
            for (index, result) in await applyGroup(source: source, group, pushes: pushes, options: options) {
                results[index] = result
            }
            group = []
            keys = []
        }

        for (index, push) in pushes.enumerated() {
            if let id = push.webhookID, ids.contains(id) {
                results[index] = .failure(.state(.duplicatePush(id: id)))
                continue
            }
            let single: ParsedSource?
            do {
                single = try await SourceStage.singleRecord(push.body, source: source)
            } catch let failure as SourceFailure {
                results[index] = .failure(.invalid(failure))
                continue
            } catch {
                results[index] = .failure(.invalid(.parse("\(error)")))
                continue
            }
            guard let single, let key = single.records.first?.key, single.records.count == 1 else {
                // A whole document: alone, after what came before it.
                await flush()
                let result = await pushAlone(push, sourceID: sourceID, options: options)
                if case .success = result, let id = push.webhookID { ids.insert(id) }
                results[index] = result
                continue
            }
            if keys.contains(key) { await flush() }
            keys.insert(key)
            if let id = push.webhookID { ids.insert(id) }
            group.append((index, single))
        }
        await flush()
        return results.map { $0 ?? .failure(.state(.database("a push was not applied"))) }
    }

    /// Detects, routes and commits single-record pushes for distinct records together; when
    /// the commit finds an id already stored, each push is applied alone (and the replay refused).
    private func applyGroup(
        source: SourceConfiguration, _ group: [(index: Int, parsed: ParsedSource)], pushes: [PendingPush],
        options: Options
    ) async -> [(Int, Result<RunReport, PushFailure>)] {
        do {
            let state = try store.sourceStates()[source.id] ?? SourceState(id: source.id)
            var combined = ParsedSource(records: group.flatMap(\.parsed.records))
            for member in group {
                combined.unmappedStatuses.formUnion(member.parsed.unmappedStatuses)
                combined.unparsedDates += member.parsed.unparsedDates
            }
            let stage = SourceStage(configuration: configuration, store: store, curl: curl)
            let stored = try store.storedDigests(source: source.id, keys: combined.records.map(\.key))
            let comparison = try await Detector.compare(
                combined, stored: stored, contents: stage.contents(of: source.id), baselined: state.baselineAt != nil,
                partial: true)
            let receipts = group.compactMap { member in
                pushes[member.index].webhookID.map { PushReceipt(id: $0, sourceID: source.id) }
            }
            // Events in the order their pushes arrived (detection lists added before changed).
            let arrival = Dictionary(
                combined.records.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
            let applied = try applyPushed(
                .parsed(combined, validators: Validators(), comparison), source: source, previous: state,
                receipts: receipts, options: options
            ) { detection in
                detection.events = detection.events.enumerated().sorted { left, right in
                    let (a, b) = (
                        left.element.record.flatMap { arrival[$0.key] } ?? -1,
                        right.element.record.flatMap { arrival[$0.key] } ?? -1
                    )
                    return a != b ? a < b : left.offset < right.offset
                }.map(\.element)
            }
            var followUps = RunReport()
            for followUp in applied.followUps { followUps.add(followUp) }
            return Self.reports(
                for: group, changes: applied.changes, source: applied.report.sources[0], followUps: followUps)
        } catch StateError.duplicatePush {
            // An id stored by another writer since the batch was read: one by one.
            var results: [(Int, Result<RunReport, PushFailure>)] = []
            for member in group {
                results.append(
                    (member.index, await pushAlone(pushes[member.index], sourceID: source.id, options: options)))
            }
            return results
        } catch let failure as StateError {
            return group.map { ($0.index, .failure(.state(failure))) }
        } catch let failure as SourceFailure {
            return group.map { ($0.index, .failure(.invalid(failure))) }
        } catch {
            return group.map { ($0.index, .failure(.state(.database("\(error)")))) }
        }
    }

    /// One push applied by itself (``push(sourceID:body:webhookID:options:)``).
    private func pushAlone(_ push: PendingPush, sourceID: String, options: Options) async
        -> Result<RunReport, PushFailure>
    {
        do throws(PushFailure) {
            return .success(
                try await self.push(sourceID: sourceID, body: push.body, webhookID: push.webhookID, options: options)
                    .report)
        } catch {
            return .failure(error)
        }
    }

    /// Each push's share of a group's change set: the events of its record and the
    /// notifications they queued; the first push also carries the source's report and the
    /// deadlines and digests queued after the commit.
    private static func reports(
        for group: [(index: Int, parsed: ParsedSource)], changes: ChangeSet, source: RunReport.SourceReport,
        followUps: RunReport
    ) -> [(Int, Result<RunReport, PushFailure>)] {
        var eventsByKey: [String: [Event]] = [:]
        for event in changes.events {
            eventsByKey[event.record?.key ?? "", default: []].append(event)
        }
        var queuedByEvent: [String: Int] = [:]
        for notification in changes.notifications where notification.digest == nil {
            queuedByEvent[notification.eventID, default: 0] += 1
        }
        return group.enumerated().map { position, member in
            var report = position == 0 ? followUps : RunReport()
            report.sources = [source]
            for event in eventsByKey[member.parsed.records.first?.key ?? ""] ?? [] {
                report.events += 1
                report.eventsByKind[event.kind, default: 0] += 1
                report.queued += queuedByEvent[event.id] ?? 0
            }
            return (member.index, .success(report))
        }
    }
}
