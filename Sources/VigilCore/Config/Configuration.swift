import Foundation

/// A whole, validated Vigil configuration.
public struct Configuration: Sendable {
    /// Path of the file it was read from.
    public var file: String
    /// Directory relative paths are resolved against.
    public var directory: String
    public var sources: [SourceConfiguration]
    public var outputs: [any Output]
    /// Delivery settings by output id (the output's defaults, overridden by `concurrency`/`retry`).
    public var deliveryPolicies: [String: DeliveryPolicy] = [:]
    /// Where state lives when `--state` is not given.
    public var stateDirectory: String
    /// `vigil serve` settings.
    public var serve = ServeSettings()
    /// The longest one run (or one delivery pass of `vigil serve`) spends delivering; what is
    /// not sent by then stays queued for the next.
    public var deliveryTimeout: Duration = .seconds(300)
    /// Who may be notified; used by `rules`.
    public var recipients: [Recipient] = []
    /// Where ``recipients`` come from: inline, and files read again on every load.
    public var recipientList = RecipientList()
    /// When present, rules decide who hears about what; without rules every event goes to every output.
    public var rules: [Rule] = []
    /// Conditions over time on stored dates, raising `overdue` / `upcoming` events.
    public var deadlines: [Deadline] = []
    /// Notification templates: Vigil's own plus those of `templates.directory`.
    public var templates = TemplateLibrary()
    /// How records join into people across sources.
    public var people = PeopleSettings()
    /// Subscribed mail: per-recipient unsubscribe links (nil: only outputs' fixed targets).
    public var mailing: MailingSettings?

    /// The router for this configuration's events, without `realert` windows.
    public var router: any EventRouter { router(lastNotified: nil) }

    /// Runs `body` with the router, honouring the `realert` windows recorded in `store`.
    /// Each window is looked up when a rule needs it; a lookup that fails makes this throw
    /// once `body` returns, so the caller stores nothing rather than alert a recipient again.
    /// Recipients who unsubscribed (or whose address bounced) are left out of outputs that
    /// honour unsubscribes.
    /// The rules by id (ids are unique; the first wins should a hand-built one repeat).
    public var rulesByID: [String: Rule] {
        Dictionary(rules.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func withRouter<T>(
        store: any FollowUpReading & SuppressionReading, _ body: (any EventRouter) throws(StateError) -> T
    ) throws(StateError) -> T {
        let suppressions =
            !rules.isEmpty && outputs.contains(where: \.capabilities.honoursUnsubscribes)
            ? SuppressionSet(try store.suppressions()) : SuppressionSet()
        guard rules.contains(where: { $0.realert != nil }) else {
            return try body(router(lastNotified: nil, suppressions: suppressions))
        }
        let lookup = RealertLookup(store: store)
        let result = try body(router(lastNotified: lookup.lastNotified, suppressions: suppressions))
        try lookup.checkSucceeded()
        return result
    }

    private func router(
        lastNotified: (@Sendable (RealertMark) -> Date?)?, suppressions: SuppressionSet = SuppressionSet()
    ) -> any EventRouter {
        guard !rules.isEmpty else { return Broadcast(outputs: outputs, maxFieldLength: templates.maxFieldLength) }
        var router = RuleRouter(
            rules: rules, recipients: recipients, outputs: outputs, templates: templates, lastNotified: lastNotified)
        router.suppressions = suppressions
        return router
    }

    public init(
        file: String, directory: String, sources: [SourceConfiguration], outputs: [any Output], stateDirectory: String
    ) {
        self.file = file
        self.directory = directory
        self.sources = sources
        self.outputs = outputs
        self.stateDirectory = stateDirectory
    }

    /// Reads and validates the file at `path`, reporting every problem at once.
    public static func load(
        path: String, outputs registry: OutputRegistry = OutputRegistry(), sources: SourceRegistry = SourceRegistry()
    ) throws(ConfigErrors) -> Configuration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigErrors([ConfigIssue(file: path, path: "$", location: nil, message: "cannot read the file")])
        }
        return try parse(Array(data), file: path, outputs: registry, sources: sources)
    }

    /// Validates a configuration document; `file` names it in errors and anchors relative paths.
    public static func parse(
        _ bytes: [UInt8], file: String, outputs registry: OutputRegistry = OutputRegistry(),
        sources sourceRegistry: SourceRegistry = SourceRegistry()
    ) throws(ConfigErrors) -> Configuration {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw ConfigErrors([
                ConfigIssue(
                    file: file, path: "$", location: error.location, message: "not valid JSON: \(error.message)")
            ])
        }
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent().standardizedFileURL.path
        let reader = ConfigReader(file: file, bytes: bytes)
        var configuration = Configuration(
            file: file, directory: directory, sources: [], outputs: [], stateDirectory: directory + "/state")
        if var object = reader.object(root, path: "$") {
            if let version = object.optionalInteger("version", in: 1...1) { _ = version }
            // Where an editor finds the configuration's JSON Schema (docs/config.schema.json).
            _ = object.optionalString("$schema")
            if let found = object.value("serve"), var serve = reader.object(found, path: "$.serve") {
                configuration.serve = ServeSettings.read(&serve)
                serve.finish()
            }
            if let timeout = object.optionalDuration("deliveryTimeout", in: .seconds(1)...(.seconds(86_400))) {
                configuration.deliveryTimeout = timeout
            }
            if let state = object.optionalString("state") {
                configuration.stateDirectory = state.hasPrefix("/") ? state : directory + "/" + state
            }
            if let sources = object.requiredValue("sources", expected: "an array of sources"),
                let elements = reader.array(sources, path: "$.sources")
            {
                var seen: [String: Int] = [:]
                for (index, element) in elements.enumerated() {
                    let path = "$.sources[\(index)]"
                    if case .string(let id)? = element["id"]?.kind {
                        if let first = seen[id] {
                            reader.report(
                                "duplicate source id \"\(id)\" (also $.sources[\(first)])", path: path + ".id",
                                offset: element["id"]?.offset)
                        } else {
                            seen[id] = index
                        }
                    }
                    if let source = SourceConfigurationReader.read(
                        element, path: path, reader: reader, directory: directory, registry: sourceRegistry)
                    {
                        configuration.sources.append(source)
                    }
                }
                if elements.isEmpty {
                    reader.report("expected at least one source", path: "$.sources", offset: sources.offset)
                }
            }
            // Every output id written, valid or not: a rule naming an output that has its own
            // error is not reported a second time ("no output … is configured").
            var declaredOutputs: Set<String> = []
            if let outputs = object.requiredValue("outputs", expected: "an array of outputs"),
                let elements = reader.array(outputs, path: "$.outputs")
            {
                var seen: [String: Int] = [:]
                for (index, element) in elements.enumerated() {
                    let path = "$.outputs[\(index)]"
                    guard var options = reader.object(element, path: path) else { continue }
                    let id = options.string("id")
                    if let id { declaredOutputs.insert(id) }
                    let type = options.choice("type", registry.types)
                    if let id, !Self.isValidID(id) {
                        options.report("an id uses letters, digits, '-' and '_' only, got \"\(id)\"", key: "id")
                    }
                    if let id, let first = seen[id] {
                        options.report("duplicate output id \"\(id)\" (also $.outputs[\(first)])", key: "id")
                    }
                    let overrides = options.deliveryPolicyOverrides()
                    guard let id, let type, let factory = registry.factory(for: type) else {
                        options.finish()
                        continue
                    }
                    seen[id] = index
                    if let output = factory.makeOutput(id: id, options: &options) {
                        configuration.outputs.append(output)
                        configuration.deliveryPolicies[id] = overrides.applied(to: output.defaultDeliveryPolicy)
                    }
                    options.finish()
                }
            }
            if let found = object.value("mailing"), var mailing = reader.object(found, path: "$.mailing") {
                configuration.mailing = MailingSettings.read(&mailing)
                mailing.finish()
            }
            if let found = object.value("templates"), var templates = reader.object(found, path: "$.templates") {
                let directory = templates.optionalString("directory").map {
                    $0.hasPrefix("/") ? $0 : directory + "/" + $0
                }
                let language = templates.optionalString("defaultLanguage") ?? "en"
                configuration.templates = TemplateLibrary(
                    directory: directory, defaultLanguage: language, report: reader.report)
                if let length = templates.optionalInteger("maxFieldLength", in: 100...1_000_000) {
                    configuration.templates.maxFieldLength = length
                }
                templates.finish()
            }
            if let found = object.value("recipients") {
                configuration.recipientList = RulesReader.recipients(
                    found, reader: reader, outputs: declaredOutputs, directory: directory)
                let (recipients, issues, places) = configuration.recipientList.resolveWithPlaces()
                configuration.recipients = recipients
                configuration.recipientList.places = places
                for issue in issues { reader.report(issue) }
            }
            if let found = object.value("deadlines") {
                configuration.deadlines = RulesReader.deadlines(found, reader: reader, sources: configuration.sources)
            }
            if let found = object.value("people") {
                configuration.people = PeopleSettings.read(found, reader: reader, sources: configuration.sources)
            }
            if let found = object.value("rules") {
                configuration.rules = RulesReader.rules(
                    found, reader: reader, outputs: declaredOutputs, recipients: configuration.recipients,
                    templates: configuration.templates,
                    fieldNames: Set(configuration.sources.flatMap { $0.mapping.fields.map(\.name) }))
            }
            object.finish()
        }
        guard reader.issues.isEmpty else { throw ConfigErrors(reader.issues) }
        return configuration
    }

    /// The configuration with its recipient files read again (a long-running `vigil serve`
    /// picks up the organiser's edits). When a file has a problem the configuration is
    /// returned unchanged with the problems, so nobody is dropped by a half-saved file.
    public func reloadingRecipients() -> (configuration: Configuration, issues: [ConfigIssue]) {
        guard !recipientList.files.isEmpty else { return (self, []) }
        let (recipients, issues, places) = recipientList.resolveWithPlaces()
        guard issues.isEmpty else { return (self, issues) }
        var reloaded = self
        reloaded.recipients = recipients
        reloaded.recipientList.places = places
        return (reloaded, [])
    }

    /// The delivery settings of output `id`.
    public func deliveryPolicy(for id: String) -> DeliveryPolicy {
        deliveryPolicies[id] ?? outputs.first { $0.id == id }?.defaultDeliveryPolicy ?? DeliveryPolicy()
    }

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty
            && id.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
                    || $0 == "_"
            }
    }
}
