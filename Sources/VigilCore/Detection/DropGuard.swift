/// Fails closed when a fetch loses too many records at once: a half-loaded page or a
/// changed schema must not "remove" everyone.
public enum DropGuard {
    /// Throws ``SourceFailure/suspiciousDrop(removed:of:limit:)`` when more than `maxDrop` of
    /// the `storedCount` records would be removed.
    public static func check(removed: Int, storedCount: Int, maxDrop: Double) throws(SourceFailure) {
        guard storedCount > 0, removed > 0 else { return }
        if Double(removed) / Double(storedCount) > maxDrop {
            throw .suspiciousDrop(removed: removed, of: storedCount, limit: maxDrop)
        }
    }
}
