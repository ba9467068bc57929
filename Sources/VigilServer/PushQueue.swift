import VigilCore

/// Pushes waiting for their source's next group commit, in arrival order.
///
/// Pushes to one source are applied in the order they arrived, each seeing what the ones
/// before it stored; those that arrive while a group is being applied wait here and are
/// applied together next (``WatchCycle/pushBatch(sourceID:_:options:)``), each answered
/// only after its group has committed. Different sources do not wait on each other.
struct PushQueue {
    typealias Answer = CheckedContinuation<Result<RunReport, WatchCycle.PushFailure>, Never>

    /// The most pushes applied in one group.
    static let maxGroup = 256

    private var waiting: [String: [(push: WatchCycle.PendingPush, answer: Answer)]] = [:]
    private var draining: Set<String> = []

    /// Queues a push; true when no group is being applied for the source (the caller starts draining).
    mutating func enqueue(_ push: WatchCycle.PendingPush, for source: String, answer: Answer) -> Bool {
        waiting[source, default: []].append((push, answer))
        return draining.insert(source).inserted
    }

    /// The next group to apply for `source`, oldest first; nil (and the source no longer
    /// draining) when none waits.
    mutating func nextGroup(for source: String) -> [(push: WatchCycle.PendingPush, answer: Answer)]? {
        guard var queue = waiting[source], !queue.isEmpty else {
            waiting[source] = nil
            draining.remove(source)
            return nil
        }
        let group = Array(queue.prefix(Self.maxGroup))
        queue.removeFirst(group.count)
        waiting[source] = queue.isEmpty ? nil : queue
        return group
    }
}
