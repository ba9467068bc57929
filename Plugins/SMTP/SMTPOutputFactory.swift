import VigilCEL
import VigilCore

/// Builds ``SMTPOutput`` from an output object of `"type": "smtp"`.
///
/// ```json
/// {"id": "sponsors-mail", "type": "smtp", "url": "smtp://mail.example.org:587",
///  "from": "vigil@example.org", "fromName": "Vigil", "to": ["team@example.org"],
///  "username": "${env:SMTP_USER}", "password": "${env:SMTP_PASSWORD}",
///  "unsubscribe": {"mailto": "unsubscribe@example.org", "url": "https://example.org/unsubscribe"}}
/// ```
public struct SMTPOutputFactory: OutputFactory {
    public let type = "smtp"

    public init() {}

    public func makeOutput(id: String, options: inout ObjectReader) -> (any Output)? {
        let errorsBefore = options.reader.issues.count
        let url = options.string("url")
        let plaintext = options.optionalBool("insecurePlaintext") ?? false
        if let url {
            let lower = url.lowercased()
            if !(lower.hasPrefix("smtp://") || lower.hasPrefix("smtps://")) {
                options.report("expected an smtp:// (STARTTLS) or smtps:// (implicit TLS) URL", key: "url")
            } else if plaintext && lower.hasPrefix("smtps://") {
                options.report("\"insecurePlaintext\" applies to smtp:// URLs only", key: "insecurePlaintext")
            }
        }
        let from = address(&options, "from", required: true)
        let fromName = options.optionalString("fromName")
        let replyTo = address(&options, "replyTo", required: false)
        var to: [MailAddress] = []
        for (index, text) in (options.stringOrStrings("to", required: false) ?? []).enumerated() {
            if let parsed = MailAddress(text) {
                to.append(parsed)
            } else {
                options.reader.report(
                    "\"\(text)\" is not a valid email address", path: options.path(of: "to") + "[\(index)]",
                    offset: options.value.offset)
            }
        }
        let username = options.optionalSecret("username")
        let password = options.optionalSecret("password")
        if (username == nil) != (password == nil) {
            options.report("SMTP authentication needs both \"username\" and \"password\"")
        }
        var unsubscribeMailto: MailAddress?
        var unsubscribeURL: String?
        if let found = options.value("unsubscribe"),
            var unsubscribe = options.reader.object(found, path: options.path(of: "unsubscribe"))
        {
            unsubscribeMailto = address(&unsubscribe, "mailto", required: false)
            unsubscribeURL = unsubscribe.optionalString("url")
            if let url = unsubscribeURL,
                !(url.hasPrefix("https://") || url.hasPrefix("http://"))
                    || url.contains(where: { $0 == ">" || $0 == "," || $0.isWhitespace })
            {
                unsubscribe.report("expected an http(s) URL without spaces, ',' or '>'", key: "url")
            }
            unsubscribe.finish()
        }
        var headers: [(name: String, value: String)] = []
        if let found = options.value("headers"),
            var headerObject = options.reader.object(found, path: options.path(of: "headers"))
        {
            let reserved: Set<String> = [
                "from", "to", "cc", "bcc", "subject", "date", "message-id", "reply-to", "mime-version", "content-type",
                "content-transfer-encoding", "list-unsubscribe", "list-unsubscribe-post", "auto-submitted", "list-id",
                "feedback-id",
            ]
            for name in headerObject.keys {
                guard let value = headerObject.string(name) else { continue }
                let valid = !name.isEmpty && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }
                if !valid {
                    headerObject.report("invalid header name \"\(name)\"", key: name)
                } else if reserved.contains(name.lowercased()) {
                    headerObject.report("\"\(name)\" is set by Vigil and cannot be overridden", key: name)
                } else {
                    headers.append((name, value))
                }
            }
            headerObject.finish()
        }
        let bounceAddress = address(&options, "bounces", required: false)
        if let bounceAddress, bounceAddress.local.contains("+") {
            options.report(
                "the bounce address's local part may not contain '+' (Vigil adds \"+TOKEN\" to it)", key: "bounces")
        }
        let listID = options.optionalString("listId")
        if let listID, !Self.isListID(listID) {
            options.report(
                "expected a list id such as \"sponsors.alerts.example.org\" (letters, digits, '-' and '.', "
                    + "with a dot, no angle brackets)", key: "listId")
        }
        let feedbackID = options.optionalString("feedbackId")
        if let feedbackID,
            feedbackID.isEmpty || feedbackID.count > 200
                || !feedbackID.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        {
            options.report(
                "expected printable ASCII without spaces, such as \"alerts:vigil:exampleorg\"", key: "feedbackId")
        }
        var pacing = DomainPacer.Limits(concurrency: 2, rate: 30)
        var domainPacing: [String: DomainPacer.Limits] = [:]
        if let found = options.value("pacing"),
            var object = options.reader.object(found, path: options.path(of: "pacing"))
        {
            pacing = Self.limits(&object, defaults: pacing)
            if let domains = object.value("domains"),
                var byDomain = object.reader.object(domains, path: object.path(of: "domains"))
            {
                for domain in byDomain.keys {
                    guard let value = byDomain.value(domain),
                        var limits = byDomain.reader.object(value, path: byDomain.path(of: domain))
                    else { continue }
                    domainPacing[domain.lowercased()] = Self.limits(&limits, defaults: pacing)
                    limits.finish()
                }
                byDomain.finish()
            }
            object.finish()
        }
        let timeout = options.optionalDuration("timeout", in: Bounds.timeout) ?? .seconds(30)
        let connectTimeout = options.optionalDuration("connectTimeout", in: Bounds.timeout) ?? .seconds(10)
        let (verifyTLS, caFile) = options.tlsSettings()
        guard options.reader.issues.count == errorsBefore, let url, let from else { return nil }
        var settings = SMTPOutput.Settings(
            url: url, plaintext: plaintext, from: from, fromName: fromName, replyTo: replyTo, to: to,
            username: username, password: password, unsubscribeMailto: unsubscribeMailto,
            unsubscribeURL: unsubscribeURL, headers: headers, timeout: timeout, connectTimeout: connectTimeout,
            verifyTLS: verifyTLS, caFile: caFile, concurrency: 4)
        settings.listID = listID
        settings.feedbackID = feedbackID
        settings.bounceAddress = bounceAddress
        settings.pacing = pacing
        settings.domainPacing = domainPacing
        return SMTPOutput(id: id, settings: settings)
    }

    /// `{"concurrency": N, "rate": "30/s" | "600/min" | "none"}`, each optional.
    static func limits(_ object: inout ObjectReader, defaults: DomainPacer.Limits) -> DomainPacer.Limits {
        var limits = defaults
        if let concurrency = object.optionalInteger("concurrency", in: 1...64) { limits.concurrency = concurrency }
        if let text = object.optionalString("rate") {
            if let rate = parseRate(text) {
                limits.rate = rate
            } else {
                object.report("expected a rate such as \"30/s\" or \"600/min\", or \"none\"", key: "rate")
            }
        }
        return limits
    }

    /// Messages a second from `"30/s"`, `"600/min"`, `"3600/h"`; 0 for `"none"`.
    static func parseRate(_ text: String) -> Double? {
        if text == "none" { return 0 }
        let parts = text.split(separator: "/")
        guard parts.count == 2, let count = Double(parts[0]), count > 0, count <= 100_000 else { return nil }
        switch parts[1] {
        case "s": return count
        case "min": return count / 60
        case "h": return count / 3600
        default: return nil
        }
    }

    /// RFC 2919's list-label "." namespace, as dot-atom text a reader can trust.
    static func isListID(_ text: String) -> Bool {
        text.count <= 200 && text.contains(".") && !text.hasPrefix(".") && !text.hasSuffix(".")
            && text.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
                    || $0 == "."
            }
    }

    private func address(_ options: inout ObjectReader, _ key: String, required: Bool) -> MailAddress? {
        guard let text = required ? options.string(key) : options.optionalString(key) else { return nil }
        guard let address = MailAddress(text) else {
            options.report("\"\(text)\" is not a valid email address (local@domain, ASCII)", key: key)
            return nil
        }
        return address
    }
}
