import Foundation

extension Configuration {
    /// The recipients who sponsor a person: by one of the person's record keys, by person id,
    /// or by a field match on `record` (the person's record as a source lists it now).
    public func sponsors(of record: Record, person: PersonSnapshot?) -> [Recipient] {
        RecipientIndex(recipients).sponsors(of: record, person: person).map { recipients[$0] }
    }
}
