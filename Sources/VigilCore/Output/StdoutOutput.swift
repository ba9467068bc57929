#if canImport(Glibc)
    import Glibc
#endif

/// Prints each notification to standard output; cron mails what a job prints.
public struct StdoutOutput: Output {
    public let id: String

    public init(id: String) {
        self.id = id
    }

    public func send(_ notification: RenderedNotification, session: Void) async -> DeliveryOutcome {
        // A header line names the addressee (when routed to one) and the subject.
        // Source data reaches a terminal here: its control characters are shown, not obeyed.
        var text =
            "── " + (notification.recipient.map { "to \(TerminalText.escape($0, singleLine: true)): " } ?? "")
            + TerminalText.escape(notification.subject, singleLine: true) + "\n"
        text += TerminalText.escape(notification.text)
        if !text.hasSuffix("\n") { text += "\n" }
        return Self.writeAll(Array(text.utf8))
            ? .delivered : .retry(after: nil, reason: "cannot write to standard output")
    }

    /// Writes straight to file descriptor 1 (unbuffered, so nothing is lost on a crash).
    private static func writeAll(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return true }
            var offset = 0
            while offset < buffer.count {
                let written = write(STDOUT_FILENO, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}

/// Builds ``StdoutOutput``; it has no options.
public struct StdoutOutputFactory: OutputFactory {
    public let type = "stdout"

    public init() {}

    public func makeOutput(id: String, options: inout ObjectReader) -> (any Output)? {
        StdoutOutput(id: id)
    }
}
