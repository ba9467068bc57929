import Foundation

/// Mistakes a configuration can hold while still being valid: rules that can never reach
/// anyone, sponsorships of keys no source has reported, recipients whose language has no
/// templates. `vigil check` prints them as warnings.
public enum ConfigurationAudit {
    /// One warning, with the JSON path it concerns.
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var message: String

        public var description: String { "\(path): \(message)" }
    }

    /// The findings for `configuration`; `reportedKeys` are the record keys sources have
    /// reported so far (nil when there is no state yet: sponsorships are then not checked).
    public static func findings(_ configuration: Configuration, reportedKeys: Set<String>?) -> [Finding] {
        var findings: [Finding] = []
        let recipients = configuration.recipients
        for rule in configuration.rules.sorted(by: { $0.position < $1.position }) {
            for outputID in rule.via {
                guard let output = configuration.outputs.first(where: { $0.id == outputID }) else { continue }
                let reasons = rule.notify.map { selector in
                    unreachable(selector, output: output, recipients: recipients)
                }
                guard reasons.allSatisfy({ $0 != nil }) else { continue }
                findings.append(
                    Finding(
                        path: "$.rules[\(rule.position)]",
                        message: "rule \"\(rule.id)\" can never notify anyone through output \"\(outputID)\": "
                            + reasons.compactMap { $0 }.joined(separator: "; ")))
            }
        }
        if let held = configuration.rules.first(where: { $0.confirm?.approval == true }) {
            // Would any rule tell anyone that a transition waits for a decision?
            let notice = Event(
                kind: .approvalRequested, sourceID: configuration.sources.first?.id ?? "source", at: Date(),
                message: "audit")
            if configuration.router.notifications(for: [notice], at: Date()).isEmpty {
                findings.append(
                    Finding(
                        path: "$.rules[\(held.position)].confirm",
                        message: "rule \"\(held.id)\" holds transitions for approval, but no rule tells anyone when "
                            + "one waits (approval_requested events): the team sees them only in `vigil held` and the "
                            + "console. Add a rule such as {\"when\": \"event.kind == 'approval_requested'\", "
                            + "\"notify\": \"outputs\", \"via\": \"team-room\"}"))
            }
        }
        if configuration.mailing == nil {
            let mailed = Set(
                configuration.rules.filter { rule in rule.notify.contains { $0 != .outputs } }.flatMap(\.via)
            ).filter { id in configuration.outputs.contains { $0.id == id && $0.capabilities.honoursUnsubscribes } }
            if !mailed.isEmpty {
                findings.append(
                    Finding(
                        path: "$.mailing",
                        message:
                            "rules mail recipients through \(mailed.sorted().map { "\"\($0)\"" }.joined(separator: ", ")) "
                            + "without a \"mailing\" section: their email carries no per-recipient one-click "
                            + "unsubscribe link (Gmail, Yahoo and Outlook require one of bulk senders; see docs/mailing.md)"
                    ))
            }
        }
        for (index, recipient) in recipients.enumerated() {
            if let reportedKeys {
                let unknown = recipient.sponsorship.keys.subtracting(reportedKeys).sorted()
                if !unknown.isEmpty {
                    findings.append(
                        Finding(
                            path: place(index, configuration, "sponsors.keys"),
                            message: "recipient \"\(recipient.id)\" sponsors \(unknown.count == 1 ? "a key" : "keys") "
                                + "no source has ever reported: \(unknown.joined(separator: ", "))"))
                }
            }
            let sets = Set(configuration.rules.map(\.template)).union([TemplateLibrary.defaultSet]).sorted()
            for set in sets where !configuration.templates.hasLanguage(recipient.language, set: set) {
                findings.append(
                    Finding(
                        path: place(index, configuration, "language"),
                        message: "no \"\(recipient.language)\" templates in set \"\(set)\" for recipient "
                            + "\"\(recipient.id)\": \"\(configuration.templates.defaultLanguage)\" will be used"))
            }
        }
        return findings
    }

    /// Where recipient `index`'s `key` is written: `$.recipients[i].KEY` inline,
    /// `sponsors.csv:12 (KEY)` for a file's row.
    private static func place(_ index: Int, _ configuration: Configuration, _ key: String) -> String {
        let place = configuration.recipientList.places[configuration.recipients[index].id] ?? "$.recipients[\(index)]"
        return place.hasPrefix("$") ? place + "." + key : "\(place) (\(key))"
    }

    /// Why `selector` reaches nobody on `output`; nil when it reaches someone.
    private static func unreachable(_ selector: Rule.Selector, output: any Output, recipients: [Recipient]) -> String? {
        func anyContact(_ candidates: [Recipient]) -> Bool { candidates.contains { $0.contacts[output.id] != nil } }
        switch selector {
        case .outputs:
            return output.capabilities.requiresRecipient && output.defaultRecipients.isEmpty
                ? "\"outputs\": the output has no address of its own (\"to\")" : nil
        case .all:
            return anyContact(recipients) ? nil : "\"all\": no recipient has a contact on it"
        case .group(let group):
            return anyContact(recipients.filter { $0.groups.contains(group) })
                ? nil : "\"group:\(group)\": no member has a contact on it"
        case .recipient(let id):
            return anyContact(recipients.filter { $0.id == id }) ? nil : "\"recipient:\(id)\" has no contact on it"
        case .sponsors:
            let sponsors = recipients.filter {
                !$0.sponsorship.keys.isEmpty || !$0.sponsorship.people.isEmpty || !$0.sponsorship.matches.isEmpty
            }
            return anyContact(sponsors) ? nil : "\"sponsors\": no sponsor has a contact on it"
        }
    }
}
