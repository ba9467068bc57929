/// The shape of the values a template may name, so that `{{record.nmae}}` is refused when the
/// configuration is read rather than rendered as nothing in a sponsor's email.
public indirect enum TemplateSchema: Sendable {
    /// A value printed as it is (or a flag a section tests).
    case value
    /// Named fields.
    case object([String: TemplateSchema])
    /// A list whose items have this shape (a section repeats for each).
    case list(TemplateSchema)
    /// A map with arbitrary keys (record fields by name), each value of this shape.
    case mapOf(TemplateSchema)

    /// The shape of `name` inside this one; nil when it cannot exist.
    func member(_ name: String) -> TemplateSchema? {
        switch self {
        case .object(let fields): fields[name]
        case .mapOf(let element): element
        case .list(let element): element.member(name)
        case .value: nil
        }
    }

    /// What a section over a value of this shape puts on the context stack.
    var sectionScope: TemplateSchema {
        if case .list(let element) = self { return element }
        return self
    }

    /// The variables of an event notification (see ``TemplateContext``).
    public static let notification: TemplateSchema = {
        let kinds = Dictionary(uniqueKeysWithValues: Event.Kind.allCases.map { ($0.rawValue, TemplateSchema.value) })
        let change = TemplateSchema.object([
            "field": .value, "from": .value, "to": .value, "fromLabel": .value, "toLabel": .value, "isStatus": .value,
        ])
        return .object([
            "event": .object([
                "id": .value, "kind": .value, "at": .value, "date": .value, "message": .value, "deadline": .value,
                "person": .object(["source": .value, "key": .value, "name": .value]), "is": .object(kinds),
                "reportedBy": .value,
            ]),
            "person": .object([
                "id": .value, "name": .value, "sources": .value,
                "records": .list(
                    .object([
                        "source": .value, "key": .value, "name": .value, "status": .value, "statusLabel": .value,
                    ])),
            ]),
            "record": .object([
                "key": .value, "name": .value, "status": .value, "statusLabel": .value, "fields": .mapOf(.value),
                "fieldList": .list(.object(["name": .value, "value": .value])),
            ]),
            "changes": .list(change),
            "change": .mapOf(change),
            "source": .object(["id": .value]),
            "recipient": .object(["id": .value, "name": .value, "language": .value]),
            "rule": .object(["id": .value]),
        ])
    }()

    /// The variables of a digest: the recipient and the notifications it gathers.
    public static let digest: TemplateSchema = .object([
        "recipient": .object(["id": .value, "name": .value, "language": .value]),
        "count": .value,
        "items": .list(.object(["subject": .value, "text": .value, "html": .value])),
    ])
}
