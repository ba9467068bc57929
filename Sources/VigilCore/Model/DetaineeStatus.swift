/// A person's status: one of Vigil's canonical words, or a source's own word that no
/// status map covers (kept as-is, so nothing is silently guessed).
public enum DetaineeStatus: Sendable, Hashable, CustomStringConvertible {
    case canonical(Canonical)
    case unmapped(String)

    /// The canonical vocabulary every source's status words map to.
    public enum Canonical: String, Sendable, CaseIterable {
        case missing
        case detained
        case charged
        case onTrial = "on_trial"
        case sentenced
        case transferred
        case hungerStrike = "hunger_strike"
        case released
        case exchanged
        case pardoned
        case deceased
        case unknown
    }

    /// The stored and printed form: the canonical word, or the source's word verbatim.
    public var description: String {
        switch self {
        case .canonical(let word): word.rawValue
        case .unmapped(let word): word
        }
    }

    /// Reads the stored form back (a canonical word becomes `.canonical`).
    public init(stored: String) {
        if let word = Canonical(rawValue: stored) {
            self = .canonical(word)
        } else {
            self = .unmapped(stored)
        }
    }
}
