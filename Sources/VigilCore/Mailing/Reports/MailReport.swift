import Foundation

/// What a bounce or complaint message says, read from its MIME structure: the delivery
/// status of each recipient (a DSN, RFC 3464), or a complaint (an ARF feedback report,
/// RFC 5965), and what ties it to the message Vigil sent (the VERP address it came back to,
/// the original Message-ID).
public struct MailReport: Sendable, Equatable {
    /// One recipient's delivery status from a DSN.
    public struct Delivery: Sendable, Equatable {
        /// `Final-Recipient` (or `Original-Recipient`), without its `rfc822;` type.
        public var recipient: String
        /// `failed`, `delayed`, `delivered`, `relayed`, `expanded`.
        public var action: String
        /// The enhanced status code, `5.1.1` (RFC 3463); empty when absent.
        public var status: String
        /// `Diagnostic-Code`, without its type: the remote server's own words.
        public var diagnostic: String?

        /// What the status means for the recipient and for the sender.
        public var verdict: Verdict {
            let parts = status.split(separator: ".")
            let failed = action.lowercased() == "failed"
            if parts.first == "5" || (parts.isEmpty && failed) {
                // 5.7.x: the receiving side's policy refused the sender (SPF, DKIM, DMARC,
                // reputation). The recipient's address is not to blame.
                if parts.count > 1, parts[1] == "7" { return .senderPolicy }
                return .hard
            }
            if parts.first == "4" || action.lowercased() == "delayed" { return .soft }
            return .none
        }
    }

    /// What a delivery status means.
    public enum Verdict: String, Sendable, Equatable {
        /// Permanent failure of the address: counts towards suppression.
        case hard
        /// Temporary failure: counted, never suppresses.
        case soft
        /// The receiving server's policy refused the sender: a configuration failure.
        case senderPolicy = "sender_policy"
        /// Delivered, relayed or expanded: nothing to do.
        case none
    }

    /// What kind of report it is.
    public enum Kind: Sendable, Equatable {
        case delivery([Delivery])
        /// A recipient reported a message as spam (`Feedback-Type`, usually `abuse`).
        case complaint(feedbackType: String, recipient: String?)
        /// Not a report Vigil understands (an auto-reply, a plain message).
        case unknown
    }

    public var kind: Kind
    /// Addresses the report was delivered to (`To`, `Delivered-To`, `X-Original-To`,
    /// `Envelope-To`) and the original message's `Return-Path`: where a VERP token is.
    public var addressedTo: [String]
    /// The original message's `Message-ID`, without angle brackets, when the report quotes it.
    public var originalMessageID: String?

    /// Reads a whole message (headers and body, CRLF or LF line ends).
    public init(parsing bytes: [UInt8]) {
        let message = MIMEPart(bytes[...])
        let all = message.flattened()
        var addresses: [String] = []
        for name in ["delivered-to", "x-original-to", "envelope-to", "to"] {
            for value in message.headers(name) { addresses += Self.addresses(in: value) }
        }
        var messageID: String?
        var kind = Kind.unknown
        for part in all {
            switch part.contentType {
            case "message/delivery-status", "message/global-delivery-status":
                let groups = MIMEPart.fieldGroups(part.decodedBody)
                var deliveries: [Delivery] = []
                for group in groups.dropFirst() where group.contains(where: { $0.name == "action" }) {
                    func field(_ name: String) -> String? { group.first { $0.name == name }?.value }
                    let recipient = Self.typedValue(field("final-recipient") ?? field("original-recipient") ?? "")
                    deliveries.append(
                        Delivery(
                            recipient: recipient, action: (field("action") ?? "").lowercased(),
                            status: Self.statusCode(field("status") ?? ""),
                            diagnostic: field("diagnostic-code").map(Self.typedValue)))
                }
                if !deliveries.isEmpty, case .unknown = kind { kind = .delivery(deliveries) }
            case "message/feedback-report":
                let fields = MIMEPart.fieldGroups(part.decodedBody).first ?? []
                func field(_ name: String) -> String? { fields.first { $0.name == name }?.value }
                kind = .complaint(
                    feedbackType: (field("feedback-type") ?? "abuse").lowercased(),
                    recipient: field("original-rcpt-to").flatMap { Self.addresses(in: $0).first })
            case "message/rfc822", "text/rfc822-headers", "message/rfc822-headers":
                let original = MIMEPart(part.decodedBody[...])
                if messageID == nil, let id = original.header("message-id") {
                    messageID = id.trimmingCharacters(in: CharacterSet(charactersIn: "<> \t"))
                }
                for value in original.headers("return-path") { addresses += Self.addresses(in: value) }
            default:
                continue
            }
        }
        self.kind = kind
        self.addressedTo = addresses
        self.originalMessageID = messageID
    }

    /// `rfc822; someone@example.org` → `someone@example.org`; `smtp; 550 …` → `550 …`.
    static func typedValue(_ text: String) -> String {
        guard let semicolon = text.firstIndex(of: ";") else { return text.trimmingCharacters(in: .whitespaces) }
        return text[text.index(after: semicolon)...].trimmingCharacters(in: .whitespaces)
    }

    /// The `x.y.z` code at the start of a `Status` field.
    static func statusCode(_ text: String) -> String {
        String(text.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber || $0 == "." })
    }

    /// The addresses in a header value: `<a@b>` forms, or bare `a@b` words.
    static func addresses(in value: String) -> [String] {
        var found: [String] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let inside = rest[rest.index(after: open)..<close]
            if inside.contains("@") { found.append(String(inside)) }
            rest = rest[rest.index(after: close)...]
        }
        if found.isEmpty {
            found = value.split(whereSeparator: { $0 == " " || $0 == "," || $0 == ";" }).map(String.init)
                .filter { $0.contains("@") }
        }
        return found.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
    }
}
