/// What is statically known about a variable's shape, so that `record.stauts` is refused when
/// the configuration is read instead of quietly never matching.
public indirect enum CELSchema: Sendable, Equatable {
    /// Anything: no checks below this point.
    case any
    /// A map with exactly these keys (each possibly absent at run time: use `has()`).
    case object([String: CELSchema])
    /// A map with arbitrary keys, each value of this shape.
    case mapOf(CELSchema)

    /// The shape of `field` selected from this one; nil when the field cannot exist.
    func field(_ name: String) -> CELSchema? {
        switch self {
        case .any: .any
        case .object(let fields): fields[name]
        case .mapOf(let element): element
        }
    }

    /// The known field names, for error messages.
    var fieldNames: [String] {
        if case .object(let fields) = self { return fields.keys.sorted() }
        return []
    }
}
