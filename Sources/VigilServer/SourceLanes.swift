/// One lane per source: work on a source waits for the work before it, in arrival order.
///
/// Pushes read the stored state, suspend while they detect and route, then commit. Two
/// pushes to one source interleaved there would both compare against the same stored state
/// and report one transition twice; in a lane each sees what the one before it committed,
/// exactly as if they had arrived one after another. Different sources do not wait on
/// each other.
actor SourceLanes {
    private var busy: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Waits for the lane of `source`; call ``leave(_:)`` when done.
    func enter(_ source: String) async {
        guard busy.contains(source) else {
            busy.insert(source)
            return
        }
        await withCheckedContinuation { waiting[source, default: []].append($0) }
    }

    /// Hands the lane to the next waiter, or frees it.
    func leave(_ source: String) {
        if var queue = waiting[source], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[source] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            busy.remove(source)
        }
    }
}
