import Foundation
import Mustache
import StandardWebhooks
import VigilCEL
import VigilWebhook

@testable import VigilCore
@testable import VigilSMTP

/// The fuzz targets: each takes arbitrary bytes and must never crash, hang or trap. A target
/// may also check a property of what it produced (a mail header that cannot be injected, a
/// record that encodes and decodes to itself); a broken property is a crash too.
enum FuzzTargets {
    static let all: [String: @Sendable ([UInt8]) -> Void] = [
        "json": json, "csv": csv, "config": config, "cel": cel, "template": template, "webhook": webhook,
        "mime": mime, "html": html, "feed": feed, "xlsx": xlsx, "css": css, "report": report,
    ]

    static let mapping = FieldMapping(
        key: ["id"], name: ["name", "$.person.given"], status: "status",
        fields: [
            ("born", .init(from: "born", kind: .date(formats: [try! DatePattern("dd.MM.yyyy")]))),
            ("place", .init(from: "place")),
        ],
        statusMap: ["libéré": .released])

    /// The JSON record reader (the fetch and push path), then the records' canonical form;
    /// then the same bytes read again knowing the first reading's records: every record is
    /// skipped or built the same, never lost, never different.
    static func json(_ bytes: [UInt8]) {
        let parsed = blocking {
            try? await JSONRecordReader.read(bytes, records: try JSONPath("$[*]"), mapping: mapping)
        }
        checkRecords(parsed?.records ?? [])
        guard let parsed else { return }
        let known = KnownRecords(keys: Dictionary(parsed.rawDigests.map { ($1, $0) }, uniquingKeysWith: { a, _ in a }))
        guard
            let again = blocking({
                try? await JSONRecordReader.read(bytes, records: try JSONPath("$[*]"), mapping: mapping, known: known)
            })
        else { fatalError("a document read once is refused when its records are known") }
        precondition(again.count == parsed.count, "knowing the records changed how many there are")
        precondition(Set(again.unchangedKeys) == Set(parsed.rawDigests.keys), "a known record was not skipped")
        let first = Dictionary(parsed.records.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for record in again.records {
            precondition(first[record.key] == record, "a record read again differs")
        }
    }

    static func csv(_ bytes: [UInt8]) {
        for delimiter: Unicode.Scalar in [",", ";"] {
            checkRecords((try? CSVRecordReader.read(bytes, delimiter: delimiter, mapping: mapping))?.records ?? [])
        }
    }

    /// Every record read must survive storage: encode, decode, same record and digest.
    static func checkRecords(_ records: [Record]) {
        for record in records {
            let encoding = record.canonicalEncoding
            guard let decoded = try? Record(key: record.key, canonicalEncoding: encoding), decoded == record else {
                fatalError("record \(record.key) does not survive its canonical encoding")
            }
            precondition(record.canonicalDigest == RecordDiff.digest(encoding), "digest differs from the encoding's")
            precondition(!record.key.utf8.contains(0), "a NUL reached a stored key")
        }
    }

    static func config(_ bytes: [UInt8]) {
        _ = try? Configuration.parse(
            bytes, file: "/nonexistent/vigil-fuzz/config.json",
            outputs: OutputRegistry([SMTPOutputFactory(), WebhookOutputFactory()]))
    }

    static let variables = ["event", "record", "change", "source", "now"]
    static let activation: [CELValue] = [
        .map([.string("kind"): .string("changed"), .string("deadline"): .string("icrc-visit")]),
        .map([
            .string("key"): .string("VG-017"), .string("name"): .string("Տիգրան"),
            .string("status"): .string("released"),
            .string("fields"): .map([.string("place"): .string("99999999999999999w")]),
        ]),
        .map([.string("place"): .map([.string("from"): .string("-1"), .string("to"): .string("9223372036854775807s")])]
        ),
        .map([.string("id"): .string("list")]),
        .timestamp(Date(timeIntervalSince1970: 1_702_512_000)),
    ]

    /// The CEL parser and evaluator: the first line is an expression; the rest, when it is
    /// JSON, becomes the record.
    static func cel(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        guard let program = try? CELProgram(String(lines[0]), variables: variables) else { return }
        var values = activation
        if lines.count > 1, let record = try? JSONParser.parse(String(lines[1])) { values[1] = CELValue(json: record) }
        _ = program.evaluate(values)
        _ = program.requiredValues(of: ["event", "kind"])
    }

    /// The template checker, then the Mustache parser and a rendering of what passed.
    static func template(_ bytes: [UInt8]) {
        guard bytes.count <= TemplateLibrary.maxTemplateBytes else { return }
        let text = String(decoding: bytes, as: UTF8.self)
        guard TemplateChecker.check(text, schema: .notification).problems.isEmpty,
            let template = try? MustacheTemplate(string: text)
        else { return }
        let event = Event(
            kind: .changed, sourceID: "list", at: Date(timeIntervalSince1970: 0),
            record: Record(key: "K", name: "Ani <&>", status: .canonical(.released), fields: ["place": "East"]),
            changes: [FieldChange(field: "status", from: "detained", to: "released")])
        _ = template.render(
            TemplateContext.notification(event: event, recipient: nil, ruleID: "r", language: "en"))
    }

    /// Standard Webhooks verification as a push receiver runs it: lines are the secret,
    /// webhook-id, webhook-timestamp and webhook-signature header; the rest is the body.
    static func webhook(_ bytes: [UInt8]) {
        let parts = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5 else { return }
        let field = { (index: Int) in String(decoding: parts[index], as: UTF8.self) }
        let secrets = [
            StandardWebhooks.Secret(field(0)), StandardWebhooks.Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ]
        .compactMap { $0 }
        let body = Array(parts[4])
        let timestamp = Int(field(2)) ?? 0
        _ = StandardWebhooks.verify(id: field(1), timestamp: timestamp, body: body, header: field(3), secrets: secrets)
        // A signature we make must verify.
        let signature = StandardWebhooks.signature(id: field(1), timestamp: timestamp, body: body, secrets: secrets)
        precondition(
            StandardWebhooks.verify(
                id: field(1), timestamp: timestamp, body: body, header: signature, secrets: secrets),
            "our own signature does not verify")
        json(body)
    }

    /// Bounce and complaint reports as a mailbox delivers them (anyone can mail the bounce
    /// address), and the tokens of VERP addresses and unsubscribe links: never a crash, the
    /// same reading twice, and no token accepted without the key.
    static func report(_ bytes: [UInt8]) {
        let first = MailReport(parsing: bytes)
        precondition(first == MailReport(parsing: bytes), "a report reads differently the second time")
        if case .delivery(let deliveries) = first.kind { _ = deliveries.map(\.verdict) }
        let text = String(decoding: bytes, as: UTF8.self)
        let key = Array("fuzzing-key-0123456789".utf8)
        for line in text.split(whereSeparator: \.isNewline).prefix(8) {
            precondition(BounceAddress.outboxID(in: String(line), key: key) == nil, "a forged VERP token was accepted")
            precondition(
                (try? UnsubscribeToken.verify(String(line), key: key, lifetime: .seconds(86_400), at: Date())) == nil,
                "a forged unsubscribe token was accepted")
        }
    }

    /// The MIME builder: whatever the subject, names and text, the message has CRLF line
    /// ends, lines of at most 998 bytes, no NUL, and no header a value could inject.
    static func mime(_ bytes: [UInt8]) {
        let parts = String(decoding: bytes, as: UTF8.self).split(
            separator: "\u{1}", maxSplits: 4, omittingEmptySubsequences: false
        ).map(String.init)
        guard let from = MailAddress("alerts@vigil.example.org"), let to = MailAddress("sponsor@example.org") else {
            return
        }
        var message = MailMessage(
            from: from, fromName: parts.count > 1 ? parts[1] : nil, to: to, replyTo: nil, subject: parts[0],
            text: parts.count > 2 ? parts[2] : "", html: parts.count > 3 ? parts[3] : nil,
            idempotencyKey: "evt-1.mail", date: Date(timeIntervalSince1970: 1_700_000_000), unsubscribe: nil)
        if parts.count > 4 { message.extraHeaders = [("X-Vigil-Rule", parts[4])] }
        let rendered = message.render()
        precondition(!rendered.contains(0), "NUL in a message")
        var lineStart = 0
        var headerNames: [String] = []
        var inHeaders = true
        for index in rendered.indices where rendered[index] == UInt8(ascii: "\n") {
            precondition(index > 0 && rendered[index - 1] == UInt8(ascii: "\r"), "bare LF at byte \(index)")
            let line = rendered[lineStart..<(index - 1)]
            precondition(line.count <= 998, "line longer than 998 bytes")
            precondition(!line.contains(UInt8(ascii: "\r")), "bare CR")
            if inHeaders {
                if line.isEmpty {
                    inHeaders = false
                } else if line.first != UInt8(ascii: " ") && line.first != UInt8(ascii: "\t") {
                    headerNames.append(String(decoding: line.prefix { $0 != UInt8(ascii: ":") }, as: UTF8.self))
                }
            }
            lineStart = index + 1
        }
        let expected =
            ["Date", "From", "To", "Subject", "Message-ID", "Auto-Submitted"]
            + (parts.count > 4 ? ["X-Vigil-Rule"] : [])
            + ["MIME-Version", "Content-Type"]
        precondition(headerNames == expected, "headers \(headerNames): a value injected a header")
    }

    /// Runs async work to completion from the synchronous fuzzer callback.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            box.value = await work()
            done.signal()
        }
        done.wait()
        guard let value = box.value else { fatalError("no result") }
        return value
    }
}

/// Carries a result out of a detached task; written once before the semaphore is signalled.
final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
