extension Event {
    /// The event with every value longer than `limit` characters (Unicode scalars) cut to
    /// `limit` and marked, so that one enormous field in a source cannot make a 26 MB email
    /// or a 21 MB webhook. The stored event keeps its values whole; only what is sent is cut,
    /// and it says so: `… [truncated: 10485760 characters in all]`.
    public func truncatingValues(to limit: Int) -> Event {
        guard needsTruncation(limit) else { return self }
        var copy = self
        let cut = { (text: String) in Self.truncated(text, limit: limit) }
        if var record = copy.record {
            record.name = cut(record.name)
            record.key = cut(record.key)
            record.fields = record.fields.mapValues(cut)
            copy.record = record
        }
        copy.changes = changes.map { change in
            FieldChange(field: change.field, from: change.from.map(cut), to: change.to.map(cut))
        }
        copy.message = message.map(cut)
        if var subject = copy.subject {
            subject.name = cut(subject.name)
            for index in subject.listings.indices {
                subject.listings[index].name = cut(subject.listings[index].name)
                subject.listings[index].key = cut(subject.listings[index].key)
            }
            copy.subject = subject
        }
        return copy
    }

    /// Whether any value is longer than `limit` (UTF-8 length first: it is known without a scan).
    public func needsTruncation(_ limit: Int) -> Bool {
        func long(_ text: String?) -> Bool {
            guard let text, text.utf8.count > limit else { return false }
            return text.unicodeScalars.count > limit
        }
        if long(message) { return true }
        if let record, long(record.name) || long(record.key) || record.sortedFields.contains(where: { long($0.value) })
        {
            return true
        }
        if let subject, long(subject.name) || subject.listings.contains(where: { long($0.name) || long($0.key) }) {
            return true
        }
        return changes.contains { long($0.from) || long($0.to) }
    }

    static func truncated(_ text: String, limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        let count = text.unicodeScalars.count
        guard count > limit else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit)))
            + " … [truncated: \(count) characters in all]"
    }
}
