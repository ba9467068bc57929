import Foundation

extension Configuration {
    /// The recipients who sponsor a person: by one of the person's record keys, by person id,
    /// or by a field match on one of `records` (the person's records as their sources list
    /// them now); each once, in configuration order.
    public func sponsors(of records: [Record], person: PersonSnapshot?) -> [Recipient] {
        let index = RecipientIndex(recipients)
        return Set(records.flatMap { index.sponsors(of: $0, person: person) }).sorted().map { recipients[$0] }
    }
}
