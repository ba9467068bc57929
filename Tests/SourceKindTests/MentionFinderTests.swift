import Testing
import VigilCore

/// Which tracked people a news text names: whole names, in order, on word boundaries,
/// ignoring case and diacritics; one-word names never match.
@Suite struct MentionFinderTests {
    let finder = MentionFinder(people: [
        PersonReference(sourceID: "list", key: "1", name: "Arman Petrosyan"),
        PersonReference(sourceID: "list", key: "2", name: "José Álvarez"),
        PersonReference(sourceID: "ru", key: "3", name: "Иванов Иван Иванович"),
        PersonReference(sourceID: "list", key: "4", name: "Ani"),
        PersonReference(sourceID: "other", key: "9", name: "Arman Petrosyan"),
    ])

    @Test(arguments: [
        ("ARMAN PETROSYAN sentenced to 6 years", ["list/1", "other/9"]),
        ("Arman Petrosyan's lawyer; Arman Petrosyan again", ["list/1", "other/9"]),
        ("Hearing for jose alvarez postponed", ["list/2"]),
        ("Суд над Иванов Иван Иванович отложен", ["ru/3"]),
        ("Armanpetrosyan is a different word", []),
        ("Petrosyan Arman (order reversed)", []),
        ("Ani was visited", []),
        ("Arman, Petrosyan", ["list/1", "other/9"]),
    ])
    func names(text: String, expected: [String]) {
        #expect(finder.people(namedIn: text).map { "\($0.sourceID)/\($0.key)" } == expected)
    }
}
