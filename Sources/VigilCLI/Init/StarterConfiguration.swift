import VigilCore

/// The configuration `vigil init` writes: one source, the `stdout` output, a rule for the
/// team and two for sponsors (releases held for a second run), with `"//"` comments.
struct StarterConfiguration {
    /// The source's location: `("path", "list.json")` or `("url", "https://…")`.
    var location: (key: String, value: String)
    var source: InspectedSource
    /// `state`: beside the configuration, or the package's `/var/lib/vigil` for `/etc/vigil`.
    var state = "state"

    /// Status words of lists in English, Russian and French that mean a canonical status.
    static let knownWords: [String: String] = [
        "in custody": "detained", "held": "detained", "arrested": "detained", "задержан": "detained",
        "заключен под стражу": "detained", "под стражей": "detained", "détenu": "detained", "détenue": "detained",
        "on trial": "on_trial", "идёт суд": "on_trial", "идет суд": "on_trial", "procès en cours": "on_trial",
        "convicted": "sentenced", "осужден": "sentenced", "осуждена": "sentenced", "condamné": "sentenced",
        "condamnée": "sentenced", "free": "released", "freed": "released", "освобожден": "released",
        "освобождена": "released", "libéré": "released", "libérée": "released", "transferred": "transferred",
        "переведен": "transferred", "transféré": "transferred", "dead": "deceased", "умер": "deceased",
        "décédé": "deceased", "pardoned": "pardoned", "помилован": "pardoned", "gracié": "pardoned",
    ]

    var document: OrderedJSON {
        let key = source.key ?? "id"
        let firstKey = source.sampleKey ?? "A-1"
        var sourceMembers: [(String, OrderedJSON)] = [
            (
                "//",
                .string(
                    "The list to watch. Check key, name and status against your list with: vigil source test my-list "
                        + "--config config.json. A list that loses more than maxDrop of its people at once fails "
                        + "closed (no events) until you check it.")
            ),
            ("id", .string("my-list")),
            ("type", .string(source.format.rawValue)),
            (location.key, .string(location.value)),
        ]
        if let path = source.recordsPath { sourceMembers.append(("records", .string(path))) }
        if let delimiter = source.delimiter { sourceMembers.append(("delimiter", .string(delimiter))) }
        sourceMembers.append(("key", .string(key)))
        sourceMembers.append(("name", .string(source.name ?? key)))
        if let status = source.status { sourceMembers.append(("status", .string(status))) }
        let mapped = source.statusWords.compactMap { word -> (String, OrderedJSON)? in
            let normalized = TextNormalizer.statusKey(word)
            if DetaineeStatus.Canonical(rawValue: normalized) != nil { return nil }
            return Self.knownWords[normalized].map { (word, .string($0)) }
        }
        let unmapped = source.statusWords.filter { word in
            let normalized = TextNormalizer.statusKey(word)
            return DetaineeStatus.Canonical(rawValue: normalized) == nil && Self.knownWords[normalized] == nil
        }
        if !mapped.isEmpty || !unmapped.isEmpty {
            var comment =
                "Each status word of the list, mapped to one of: "
                + DetaineeStatus.Canonical.allCases.map(\.rawValue).joined(separator: ", ") + "."
            if !unmapped.isEmpty {
                comment += " Not yet mapped (add them): " + unmapped.map { "\"\($0)\"" }.joined(separator: ", ") + "."
            }
            sourceMembers.append(("statusMap", .object([("//", .string(comment))] + mapped)))
        }
        let others = source.fields.filter { $0 != key && $0 != source.name && $0 != source.status }
        if !others.isEmpty {
            sourceMembers.append(
                (
                    "fields",
                    .object(
                        [
                            (
                                "//",
                                .string(
                                    "Other fields to keep and compare; a date needs {\"from\", \"type\": \"date\"}.")
                            )
                        ]
                            + Self.fieldNames(others.prefix(20)).map { ($0.name, .string($0.column)) })
                ))
        }
        sourceMembers.append(("every", .string("15m")))
        sourceMembers.append(("maxDrop", .number("0.2")))
        return .object([
            (
                "//",
                .string(
                    "Written by vigil init. Check it with: vigil check --config config.json. Every key is described "
                        + "in the JSON Schema docs/config.schema.json of Vigil's source (also /usr/share/doc/vigil/).")
            ),
            ("version", .number("1")),
            ("state", .string(state)),
            ("sources", .array([.object(sourceMembers)])),
            (
                "outputs",
                .array([
                    .object([
                        (
                            "//",
                            .string(
                                "Prints notifications (cron mails them). Add smtp, matrix or webhook outputs here; "
                                    + "try one with: vigil test-output ID --config config.json")
                        ),
                        ("id", .string("console")),
                        ("type", .string("stdout")),
                    ])
                ])
            ),
            (
                "templates",
                .object([
                    ("//", .string("The shipped templates, copied here for you to edit.")),
                    ("directory", .string("templates")),
                    ("defaultLanguage", .string("en")),
                ])
            ),
            (
                "recipients",
                .array([
                    .object([
                        ("//", .string("A sponsor: hears about the people whose keys it sponsors.")),
                        ("id", .string("example-sponsor")),
                        ("name", .string("Example sponsor")),
                        ("language", .string("en")),
                        ("contacts", .object([("console", .string("sponsor@example.org"))])),
                        ("sponsors", .object([("keys", .array([.string(firstKey)]))])),
                    ])
                ])
            ),
            (
                "rules",
                .array([
                    .object([
                        ("//", .string("The team hears everything, at once.")),
                        ("id", .string("team")),
                        ("when", .string("true")),
                        ("notify", .string("outputs")),
                        ("via", .string("console")),
                    ]),
                    .object([
                        ("//", .string("Sponsors hear of a status change of their person.")),
                        ("id", .string("sponsors-news")),
                        (
                            "when",
                            .string(
                                "event.kind == 'changed' && has(change.status) && !(change.status.to in "
                                    + "['released', 'exchanged', 'pardoned', 'deceased'])")
                        ),
                        ("notify", .string("sponsors")),
                        ("via", .string("console")),
                    ]),
                    .object([
                        (
                            "//",
                            .string(
                                "A release is told to sponsors only once a second run still reports it: a list "
                                    + "that flickers must not tell a family someone is free.")
                        ),
                        ("id", .string("sponsors-releases")),
                        (
                            "when",
                            .string(
                                "has(change.status) && change.status.to in ['released', 'exchanged', 'pardoned', 'deceased']"
                            )
                        ),
                        ("notify", .string("sponsors")),
                        ("via", .string("console")),
                        ("confirm", .object([("runs", .number("2"))])),
                    ]),
                ])
            ),
        ])
    }

    /// Vigil names for `columns`: distinct, and never `name`, `status` or `key`.
    static func fieldNames(_ columns: ArraySlice<String>) -> [(name: String, column: String)] {
        var used: Set<String> = ["name", "status", "key", "//"]
        return columns.map { column in
            var name = fieldName(column)
            var counter = 2
            while used.contains(name) {
                name = fieldName(column) + String(counter)
                counter += 1
            }
            used.insert(name)
            return (name, column)
        }
    }

    /// A field's name in Vigil: the column's, in lowerCamelCase when it can be.
    static func fieldName(_ column: String) -> String {
        let words = column.split { !$0.isLetter && !$0.isNumber }
        guard !words.isEmpty else { return "field" }
        let joined = words.enumerated().map { $0.offset == 0 ? $0.element.lowercased() : $0.element.capitalized }
            .joined()
        return joined.first?.isNumber == true ? "f" + joined : joined
    }
}
