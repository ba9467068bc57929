/// Routes events to notifications while there are no rules: every event goes to every
/// output, once per recipient the output names (or once, when it names none).
public struct Broadcast: Sendable {
    public let outputs: [any Output]
    /// Longer values are cut in the rendered text (``Event/truncatingValues(to:)``).
    public let maxFieldLength: Int

    public init(outputs: [any Output], maxFieldLength: Int = TemplateLibrary.defaultMaxFieldLength) {
        self.outputs = outputs
        self.maxFieldLength = maxFieldLength
    }

    /// The notifications for `event`, skipping the outputs in `excluding`.
    public func notifications(for event: Event, excluding: Set<String> = []) -> [QueuedNotification] {
        let shown = event.truncatingValues(to: maxFieldLength)
        let subject = PlainTextRenderer.subject(for: shown)
        let text = PlainTextRenderer.text(for: shown)
        var queued: [QueuedNotification] = []
        for output in outputs where !excluding.contains(output.id) {
            let recipients: [String?] = output.defaultRecipients.isEmpty ? [nil] : output.defaultRecipients
            for recipient in recipients {
                queued.append(
                    QueuedNotification(
                        idempotencyKey: IdempotencyKey.make(
                            eventID: event.id, outputID: output.id, recipient: recipient),
                        eventID: event.id, outputID: output.id, recipient: recipient, subject: subject, text: text))
            }
        }
        return queued
    }
}

/// The key that identifies one notification (event × recipient × output) across retries.
///
/// Made only of characters valid in an email Message-ID, a Matrix txnId and a webhook-id:
/// `<event id>.<output id>` and, for a recipient, `.<16 hex digits>` of a hash of it.
public enum IdempotencyKey {
    public static func make(eventID: String, outputID: String, recipient: String?) -> String {
        make(eventID: eventID, outputID: outputID, suffix: recipient.map { suffix(for: $0).text })
    }

    /// The key from a recipient's precomputed ``suffix(for:)`` (nil: no recipient), built in
    /// one allocation.
    public static func make(eventID: String, outputID: String, suffix: String?) -> String {
        var key = eventID
        key.reserveCapacity(eventID.utf8.count + outputID.utf8.count + 18)
        key += "."
        key += outputID
        if let suffix {
            key += "."
            key += suffix
        }
        return key
    }

    /// The recipient part of a key: 16 hex digits of a hash of the lowercased address, and
    /// the hash itself (routers compute it once per address and reuse it).
    public static func suffix(for recipient: String) -> (text: String, hash: UInt64) {
        var hash = FNV1a64()
        var copy = recipient.lowercased()
        copy.withUTF8 { hash.write($0) }
        let hex = String(hash.value, radix: 16)
        return (String(repeating: "0", count: 16 - hex.count) + hex, hash.value)
    }
}
