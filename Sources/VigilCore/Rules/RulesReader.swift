import Foundation
import VigilCEL

/// Reads `recipients` and `rules`, checking every reference (outputs, groups, recipients)
/// and every expression, with the JSON path and, for expressions, the column and a caret line.
enum RulesReader {
    /// Reads `recipients`: inline recipients, and files of recipients (`{"file": …}`), whose
    /// rows are read and merged by ``RecipientList``.
    static func recipients(_ value: JSONValue, reader: ConfigReader, outputs: Set<String>, directory: String)
        -> RecipientList
    {
        var list = RecipientList()
        guard let elements = reader.array(value, path: "$.recipients") else { return list }
        var seen: [String: Int] = [:]
        for (index, element) in elements.enumerated() {
            let path = "$.recipients[\(index)]"
            guard var object = reader.object(element, path: path) else { continue }
            defer { object.finish() }
            if object.value("file") != nil {
                if let file = RecipientFile.read(&object, directory: directory, outputs: outputs) {
                    list.files.append(file)
                }
                continue
            }
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
                recipient.sponsorship.people = Set(sponsors.stringOrStrings("people", required: false) ?? [])
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
                    switch RecipientValues.events(kinds) {
                    case .success(let set): recipient.events = set
                    case .failure(let problem): preferences.report(problem.message, key: "events")
                    }
                }
                if let text = preferences.optionalString("digest") {
                    switch RecipientValues.digest(text) {
                    case .success(let window): recipient.digest = window
                    case .failure(let problem): preferences.report(problem.message, key: "digest")
                    }
                }
                if let text = preferences.optionalString("mutedUntil") {
                    switch RecipientValues.mutedUntil(text) {
                    case .success(let date): recipient.mutedUntil = date
                    case .failure(let problem): preferences.report(problem.message, key: "mutedUntil")
                    }
                }
                preferences.finish()
            }
            list.inline.append((recipient, path))
        }
        return list
    }

    /// Reads `deadlines`: `{"id", "field", "overdue" | "upcoming": DURATION, "sources"?}`.
    static func deadlines(_ value: JSONValue, reader: ConfigReader, sources: [SourceConfiguration]) -> [Deadline] {
        guard let elements = reader.array(value, path: "$.deadlines") else { return [] }
        var deadlines: [Deadline] = []
        var seen: [String: Int] = [:]
        for (index, element) in elements.enumerated() {
            guard var object = reader.object(element, path: "$.deadlines[\(index)]") else { continue }
            defer { object.finish() }
            guard let id = object.string("id"), let field = object.string("field") else { continue }
            if let first = seen[id] {
                object.report("duplicate deadline id \"\(id)\" (also $.deadlines[\(first)])", key: "id")
                continue
            }
            seen[id] = index
            let overdue = object.optionalDuration("overdue")
            let upcoming = object.optionalDuration("upcoming")
            var scope: Set<String>?
            if let names = object.stringOrStrings("sources", required: false) {
                scope = Set(names)
                for name in names where !sources.contains(where: { $0.id == name }) {
                    object.report("no source \"\(name)\"", key: "sources")
                }
            }
            let applicable = sources.filter { scope?.contains($0.id) ?? true }
            if !applicable.contains(where: { $0.mapping.fields.contains { $0.name == field } }) {
                object.report(
                    "no source maps a field \"\(field)\" (fields are named in each source's \"fields\")", key: "field")
            }
            switch (overdue, upcoming) {
            case (let within?, nil):
                deadlines.append(Deadline(id: id, field: field, direction: .overdue, within: within, sources: scope))
            case (nil, let within?):
                deadlines.append(Deadline(id: id, field: field, direction: .upcoming, within: within, sources: scope))
            default:
                object.report("expected exactly one of \"overdue\" or \"upcoming\" with a duration such as \"35d\"")
            }
        }
        return deadlines
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
            var digest: DigestWindow?
            if let text = object.optionalString("digest") {
                digest = DigestWindow.parse(text)
                if digest == nil { object.report("expected \"run\" or a duration such as \"1d\"", key: "digest") }
            }
            var confirm: Confirmation?
            if let found = object.value("confirm"), var options = reader.object(found, path: object.path(of: "confirm"))
            {
                let before = reader.issues.count
                let runs = options.optionalInteger("runs", in: 1...1000)
                let sources = options.optionalInteger("sources", in: 1...100)
                let approval = options.optionalBool("approval") ?? false
                let both = runs != nil && sources != nil
                if both || (runs == nil && sources == nil && !approval) {
                    if reader.issues.count == before {
                        options.report(
                            "expected one of \"runs\" (consecutive runs) or \"sources\" (how many sources), "
                                + "and/or \"approval\": true (a team member approves)")
                    }
                } else {
                    confirm = Confirmation(runs: runs, sources: sources, approval: approval)
                }
                options.finish()
            }
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
            rule.position = index
            rule.confirm = confirm
            rule.digest = digest
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
