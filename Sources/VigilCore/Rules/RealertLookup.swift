import Foundation
import Synchronization

/// `realert` windows read from the state one mark at a time, as routing asks (routing runs
/// on every core, and cannot throw). The first failure is kept, so the caller can refuse
/// the routing it spoiled: a failed read must never count as "not notified before".
final class RealertLookup: Sendable {
    private let store: any FollowUpReading
    private let failure = Mutex<StateError?>(nil)

    init(store: any FollowUpReading) {
        self.store = store
    }

    /// When `mark` was last notified; nil when never, or when the read failed (recorded).
    func lastNotified(_ mark: RealertMark) -> Date? {
        do {
            return try store.lastNotified(mark)
        } catch {
            failure.withLock { $0 = $0 ?? error }
            return nil
        }
    }

    /// Throws the first failed read, if any.
    func checkSucceeded() throws(StateError) {
        if let failure = failure.withLock({ $0 }) { throw failure }
    }
}
