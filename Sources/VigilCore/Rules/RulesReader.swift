import Foundation

/// Reads `recipients` and `rules`, checking every reference (outputs, groups, recipients)
/// and every expression, with the JSON path and, for expressions, the column and a caret line.
enum RulesReader {
    static func recipients(_ value: JSONValue, reader: ConfigReader, outputs: Set<String>) -> [Recipient] {
        guard let elements = reader.array(value, path: "$.recipients") else { return [] }
        var recipients: [Recipient] = []
        var seen: [String: Int] = [:]
        for (index, element) in elements.enumerated() {
            let path = "$.recipients[\(index)]"
            guard var object = reader.object(element, path: path) else { continue }
            defer { object.finish() }
            guard let id = object.string("id") else { continue }
            if let first = seen[id] {
                object.report("duplicate recipient id \"\(id)\" (also $.recipients[\(first)])", key: "id")
                continue
            }
            seen[id] = index
            var recipient = Recipient(id: id, name: object.optionalString("name") ?? id)
            recipient.language = object.optionalString("language") ?? "en"
            if let found = object.value("contacts"),
                var contacts = reader.object(found, path: object.path(of: "contacts"))
            {
                for output in contacts.keys {
                    guard let address = contacts.string(output) else { continue }
                    if !outputs.contains(output) {
                        contacts.report(
                            "no output \"\(output)\" is configured (contacts are keyed by output id)", key: output)
                    }
                    recipient.contacts[output] = address
                }
                contacts.finish()
            }
            recipient.groups = Set(object.stringOrStrings("groups", required: false) ?? [])
            if let found = object.value("sponsors"),
                var sponsors = reader.object(found, path: object.path(of: "sponsors"))
            {
                recipient.sponsorship.keys = Set(sponsors.stringOrStrings("keys", required: false) ?? [])
                if let matches = sponsors.value("match"),
                    let items = reader.array(matches, path: sponsors.path(of: "match"))
                {
                    for (position, item) in items.enumerated() {
                        guard var match = reader.object(item, path: sponsors.path(of: "match") + "[\(position)]") else {
                            continue
                        }
                        if let field = match.string("field"), let value = match.string("equals") {
                            recipient.sponsorship.matches.append((field, value))
                        }
                        match.finish()
                    }
                }
                sponsors.finish()
            }
            if let found = object.value("preferences"),
                var preferences = reader.object(found, path: object.path(of: "preferences"))
            {
                if let kinds = preferences.stringOrStrings("events", required: false) {
                    var set: Set<Event.Kind> = []
                    for kind in kinds {
                        if let parsed = Event.Kind(rawValue: kind) {
                            set.insert(parsed)
                        } else {
                            preferences.report(
                                "unknown event kind \"\(kind)\"; expected: \(Event.Kind.allCases.map(\.rawValue).joined(separator: ", "))",
                                key: "events")
                        }
                    }
                    recipient.events = set
                }
                if let text = preferences.optionalString("mutedUntil") {
                    if let date = CELFunctions.parseTimestamp(text) {
                        recipient.mutedUntil = date
                    } else {
                        preferences.report(
                            "expected an RFC 3339 time such as \"2026-12-31T00:00:00Z\"", key: "mutedUntil")
                    }
                }
                preferences.finish()
            }
            recipients.append(recipient)
        }
        return recipients
    }

    static func rules(
        _ value: JSONValue, reader: ConfigReader, outputs: Set<String>, recipients: [Recipient],
        templates: TemplateLibrary = TemplateLibrary(), fieldNames: Set<String>
    ) -> [Rule] {
        let schema = Rule.schema(fieldNames: fieldNames)
        guard let elements = reader.array(value, path: "$.rules") else { return [] }
        let recipientIDs = Set(recipients.map(\.id))
        let groups = Set(recipients.flatMap(\.groups))
        var rules: [Rule] = []
        var seen: [String: Int] = [:]
        var suppressions: [(index: Int, names: [String])] = []
        for (index, element) in elements.enumerated() {
            let path = "$.rules[\(index)]"
            guard var object = reader.object(element, path: path) else { continue }
            defer { object.finish() }
            let issuesBefore = reader.issues.count
            let id = object.optionalString("id") ?? "rule-\(index + 1)"
            if let first = seen[id] {
                object.report("duplicate rule id \"\(id)\" (also $.rules[\(first)])", key: "id")
            }
            seen[id] = index
            var program: CELProgram?
            if let expression = object.string("when") {
                do {
                    program = try CELProgram(expression, variables: Rule.variables, schema: schema)
                } catch {
                    object.report(
                        "\(error.message) at column \(error.column):\n\(error.caret(in: expression))", key: "when")
                }
            }
            var selectors: [Rule.Selector] = []
            for text in object.stringOrStrings("notify", required: true) ?? [] {
                switch text {
                case "sponsors": selectors.append(.sponsors)
                case "all": selectors.append(.all)
                case "outputs": selectors.append(.outputs)
                case _ where text.hasPrefix("group:"):
                    let group = String(text.dropFirst(6))
                    if !groups.contains(group) { object.report("no recipient is in group \"\(group)\"", key: "notify") }
                    selectors.append(.group(group))
                case _ where text.hasPrefix("recipient:"):
                    let recipient = String(text.dropFirst(10))
                    if !recipientIDs.contains(recipient) {
                        object.report("no recipient \"\(recipient)\"", key: "notify")
                    }
                    selectors.append(.recipient(recipient))
                default:
                    object.report(
                        "expected \"sponsors\", \"group:NAME\", \"recipient:ID\", \"all\" or \"outputs\", got \"\(text)\"",
                        key: "notify")
                }
            }
            let via = object.stringOrStrings("via", required: true) ?? []
            for output in via where !outputs.contains(output) {
                object.report("no output \"\(output)\" is configured", key: "via")
            }
            let realert = object.optionalDuration("realert")
            let priority = object.optionalInteger("priority", in: -1000...1000) ?? 0
            let suppress = object.stringOrStrings("suppress", required: false) ?? []
            let template = object.optionalString("template") ?? TemplateLibrary.defaultSet
            if !templates.sets.contains(template) {
                object.report(
                    "no template set \"\(template)\" (known: \(templates.sets.sorted().joined(separator: ", ")); "
                        + "sets are the folders of templates.directory)", key: "template")
            }
            suppressions.append((index, suppress))
            guard reader.issues.count == issuesBefore, let program else { continue }
            var rule = Rule(id: id, when: program, notify: selectors, via: via, realert: realert, priority: priority)
            rule.suppress = Set(suppress)
            rule.template = template
            rules.append(rule)
        }
        let ids = Set(seen.keys)
        for (index, names) in suppressions {
            for name in names where !ids.contains(name) {
                reader.report(
                    "no rule \"\(name)\" to suppress", path: "$.rules[\(index)].suppress",
                    offset: elements[index]["suppress"]?.offset)
            }
        }
        return rules
    }
}
