import VigilCEL

extension CELValue {
    /// A JSON value as CEL sees it: objects are maps, whole numbers ints, others doubles.
    public init(json: JSONValue) {
        switch json.kind {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let text): self = Int64(text).map(CELValue.int) ?? .double(Double(text) ?? .nan)
        case .string(let text): self = .string(text)
        case .array(let items): self = .list(items.map(CELValue.init(json:)))
        case .object(let members):
            var entries: [CELValue: CELValue] = [:]
            for member in members { entries[.string(member.key)] = CELValue(json: member.value) }
            self = .map(entries)
        }
    }
}
