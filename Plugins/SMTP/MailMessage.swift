import Foundation
import VigilCEL
import VigilCore

/// Builds one RFC 5322 / MIME message: `multipart/alternative` with a plain-text and an
/// HTML part, both UTF-8 and quoted-printable.
struct MailMessage {
    var from: MailAddress
    var fromName: String?
    var to: MailAddress
    var replyTo: MailAddress?
    var subject: String
    var text: String
    var html: String?
    /// Stable across retries: the notification's idempotency key.
    var idempotencyKey: String
    var date: Date
    var unsubscribe: Unsubscribe?
    var extraHeaders: [(name: String, value: String)] = []
    /// `List-Id` (RFC 2919), angle brackets included.
    var listID: String?
    /// `Feedback-ID`, verbatim.
    var feedbackID: String?

    /// `List-Unsubscribe` targets (RFC 2369); an https URL also gets one-click (RFC 8058).
    struct Unsubscribe: Sendable {
        var mailto: MailAddress?
        var url: String?
    }

    /// `<key@sender-domain>`: the same for every attempt, so receivers can drop a resend.
    var messageID: String { "<\(idempotencyKey)@\(from.domain)>" }

    func render() -> [UInt8] {
        let boundary = "=_vigil_\(Self.hex(idempotencyKey))"
        var headers: [(String, String)] = [
            ("Date", Self.rfc5322Date(date)),
            ("From", HeaderEncoding.mailbox(from, name: fromName)),
            ("To", HeaderEncoding.mailbox(to, name: nil)),
        ]
        if let replyTo { headers.append(("Reply-To", HeaderEncoding.mailbox(replyTo, name: nil))) }
        headers.append(("Subject", HeaderEncoding.unstructured(subject, headerName: "Subject")))
        headers.append(("Message-ID", messageID))
        // Sent by a program, not a person: auto-responders stay quiet (RFC 3834).
        headers.append(("Auto-Submitted", "auto-generated"))
        if let listID { headers.append(("List-Id", listID)) }
        if let unsubscribe {
            // Folded only between targets, never inside one (URLs hold no spaces). A recipient's
            // one-click link alone (27-character token) fits one line under a base URL of up to
            // 30 characters.
            var targets: [String] = []
            if let mailto = unsubscribe.mailto { targets.append("<mailto:\(mailto.address)>") }
            if let url = unsubscribe.url { targets.append("<\(url)>") }
            if !targets.isEmpty {
                let value = targets.joined(separator: ", ")
                headers.append(
                    ("List-Unsubscribe", HeaderEncoding.fold(value, firstLineUsed: "List-Unsubscribe: ".count)))
            }
            if unsubscribe.url?.lowercased().hasPrefix("https://") == true {
                headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
            }
        }
        if let feedbackID { headers.append(("Feedback-ID", feedbackID)) }
        for (name, value) in extraHeaders {
            headers.append((name, HeaderEncoding.unstructured(value, headerName: name)))
        }
        headers.append(("MIME-Version", "1.0"))
        headers.append(("Content-Type", "multipart/alternative; boundary=\"\(boundary)\""))

        var output: [UInt8] = []
        for (name, value) in headers { output += Array("\(name): \(value)\r\n".utf8) }
        output += Array("\r\nThis is a multipart message in MIME format.\r\n".utf8)
        for (type, body) in [("text/plain", text), ("text/html", html ?? Self.html(fromText: text))] {
            output += Array("\r\n--\(boundary)\r\n".utf8)
            output += Array(
                "Content-Type: \(type); charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".utf8)
            output += QuotedPrintable.encode(body)
        }
        output += Array("\r\n--\(boundary)--\r\n".utf8)
        return output
    }

    /// A plain HTML rendering of a text body, every source value escaped.
    static func html(fromText text: String) -> String {
        let escaped = HTMLText.escape(text)
        return "<!DOCTYPE html>\n<html><body><pre style=\"font-family: sans-serif; white-space: pre-wrap\">"
            + escaped + "</pre></body></html>\n"
    }

    static func rfc5322Date(_ date: Date) -> String { Timestamp.rfc5322(date) }

    private static func hex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return String(hash, radix: 16)
    }
}
