/// Keeps the deadline watch rows in step with a change set's record writes, and rebuilds
/// those of a deadline that is new or was changed in the configuration.
struct DeadlineWatchStage {
    let configuration: Configuration
    let store: any RecordReading & FollowUpReading

    func watch(_ changes: inout ChangeSet) throws(StateError) {
        let specifications = try store.deadlineSpecifications()
        guard !configuration.deadlines.isEmpty || !specifications.isEmpty else { return }
        changes.deadlines.configured = Set(configuration.deadlines.map(\.id))
        let baselined = Set(changes.sources.filter { $0.baselineAt == changes.startedAt }.map(\.id))
        for deadline in configuration.deadlines {
            if specifications[deadline.id] != deadline.specification {
                changes.deadlines.rebuilds[deadline.id] = deadline.specification
                for source in configuration.sources where deadline.applies(to: source.id) {
                    for stored in try store.records(source: source.id) {
                        guard let window = deadline.window(for: stored.record) else { continue }
                        changes.deadlines.watches.append(
                            DeadlineWatchRow(
                                deadlineID: deadline.id, sourceID: source.id, key: stored.record.key, watch: window))
                    }
                }
            }
            for (sourceID, writes) in changes.records where deadline.applies(to: sourceID) {
                for record in writes.upserts {
                    changes.deadlines.watches.append(
                        DeadlineWatchRow(
                            deadlineID: deadline.id, sourceID: sourceID, key: record.key,
                            watch: deadline.window(for: record), fired: baselined.contains(sourceID)))
                }
                for key in writes.deletions {
                    changes.deadlines.watches.append(
                        DeadlineWatchRow(deadlineID: deadline.id, sourceID: sourceID, key: key, watch: nil))
                }
            }
        }
    }
}
