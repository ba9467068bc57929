import Foundation

/// Finds the tracked people a text names: normalised exact matching of whole names, in
/// order, on word boundaries, ignoring case and diacritics ("Arman Petrosyan" is found in
/// "ARMAN PETROSYAN sentenced", not in "Armanpetrosyan"). Names of one word are too
/// ambiguous to match and are skipped.
///
/// Pure; built once per run from the people, then asked about each new item.
public struct MentionFinder: Sendable {
    /// First word → the people whose name starts with it, as word lists.
    private var byFirstWord: [String: [(words: [String], person: PersonReference)]] = [:]

    public init(people: [PersonReference]) {
        for person in people {
            let words = Self.words(person.name)
            guard words.count >= 2, let first = words.first else { continue }
            byFirstWord[first, default: []].append((words, person))
        }
    }

    public var isEmpty: Bool { byFirstWord.isEmpty }

    /// The people `text` names, each once, in the order first named.
    public func people(namedIn text: String) -> [PersonReference] {
        let words = Self.words(text)
        var found: [PersonReference] = []
        for index in words.indices {
            guard let candidates = byFirstWord[words[index]] else { continue }
            for candidate in candidates where !found.contains(candidate.person) {
                let end = index + candidate.words.count
                if end <= words.count, Array(words[index..<end]) == candidate.words { found.append(candidate.person) }
            }
        }
        return found
    }

    /// Lowercased words without diacritics; punctuation and spaces separate them.
    static func words(_ text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        return folded.split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }
}
