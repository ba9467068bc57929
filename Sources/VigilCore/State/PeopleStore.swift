import Foundation

/// People across sources: links, proposals, decisions, conflicts, and the changes told to
/// the team (for the fold window).
public protocol PeopleReading: Sendable {
    /// Every stored link, ordered by person id, then source and key.
    func personLinks() throws(StateError) -> [PersonLink]
    /// Display names given to people (by a crosswalk or `vigil people link --name`).
    func personNames() throws(StateError) -> [String: String]
    /// Proposals in `state` (all when nil), best score first.
    func linkProposals(state: LinkProposal.State?) throws(StateError) -> [LinkProposal]
    /// Disagreements raised and not yet resolved, by person id.
    func personConflicts() throws(StateError) -> [String: PersonConflict]
    /// Changes told to the team at or after `date`.
    func toldChanges(since date: Date) throws(StateError) -> [PersonChange]
    /// Every decision about people, oldest first.
    func personDecisions() throws(StateError) -> [PersonDecision]
}

/// Stores the decisions a person makes between runs (`vigil people link|unlink|reject`),
/// in one transaction; a run stores its own people changes with its ``ChangeSet``.
public protocol PeopleStore: PeopleReading {
    func decide(_ changes: PeopleChanges, at date: Date) throws(StateError)
}
