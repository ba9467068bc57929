import Foundation

/// A name as Vigil compares it across scripts: romanised to lowercase ASCII and split into
/// parts, each with a phonetic skeleton that absorbs the usual spelling variation.
public struct NormalizedName: Sendable, Equatable {
    /// One part of a name (a given name, a surname, a patronymic, an initial).
    public struct Part: Sendable, Equatable {
        /// Romanised, lowercase ASCII letters ("vardanyan", "rruben", "r" for an initial).
        public var latin: String
        /// What parts are compared on (see ``NameNormalizer/skeleton(_:)``).
        public var skeleton: String
        /// A single letter: an initial, which agrees with any part starting with it.
        public var isInitial: Bool { latin.utf8.count == 1 }
    }

    public var parts: [Part]

    /// The romanised name, parts joined by spaces.
    public var latin: String { parts.map(\.latin).joined(separator: " ") }
}

/// Romanises names with ICU transforms (through Foundation) and folds the spelling
/// variation of Armenian names across Armenian, Russian, English and Azerbaijani sources.
///
/// The steps, in order:
/// 1. Armenian script through `Armenian-Latin/BGN`, Cyrillic through `Russian-Latin/BGN`
///    (BGN/PCGN romanisation, as in English-language media).
/// 2. Azerbaijani Latin letters folded to their English spelling (see ``azerbaijaniFolds``),
///    then `Latin-ASCII`, lowercase; apostrophes and modifier letters are dropped (BGN
///    marks aspirates with them); anything but a letter separates parts.
/// 3. Each part's skeleton: `q` → `g` and `x` → `kh` (Azerbaijani spellings; no BGN
///    romanisation of Armenian or Russian uses either letter), `c` → `j` in names that are
///    Azerbaijani by their letters, `-ian`/`-jan` → `-yan`, `i` before a vowel → `y`, `tz` →
///    `ts`, every `h` dropped (Russian forms drop the Armenian `h`, and `gh`/`g`, `kh`/`k`
///    then agree), and doubled letters single (`Ռ` romanises as `rr`).
///
/// Transforms run once per script over a whole batch of names, not once per name.
public enum NameNormalizer {
    /// Azerbaijani Latin letters and the English spelling of the same sound; applied before
    /// `Latin-ASCII`, which would otherwise fold `ş` to `s` and `ə` not at all.
    public static let azerbaijaniFolds: [Character: String] = [
        "ə": "a", "Ə": "a", "ş": "sh", "Ş": "sh", "ç": "ch", "Ç": "ch", "ğ": "gh", "Ğ": "gh",
        "ı": "i", "İ": "i", "ö": "o", "Ö": "o", "ü": "u", "Ü": "u",
    ]

    /// Letters only Azerbaijani Latin uses among Vigil's scripts: a name with one of them
    /// reads `c` as `j` (Cavid = Javid).
    static let azerbaijaniLetters: Set<Character> = ["ə", "Ə", "ğ", "Ğ", "ı"]

    /// Normalises one name.
    public static func normalize(_ name: String) -> NormalizedName {
        normalize([name])[0]
    }

    /// Normalises many names, running each ICU transform once over all names that need it.
    public static func normalize(_ names: [String]) -> [NormalizedName] {
        var romanised = names
        for (transform, range) in [
            ("Armenian-Latin/BGN", UInt32(0x0530)...UInt32(0x058F)), ("Russian-Latin/BGN", UInt32(0x0400)...UInt32(0x04FF)),
        ] {
            let positions = romanised.indices.filter { index in
                romanised[index].unicodeScalars.contains { range.contains($0.value) }
            }
            guard !positions.isEmpty else { continue }
            // One line per name: the transforms treat a line break as a word boundary.
            let batch = positions.map { romanised[$0].replacingOccurrences(of: "\n", with: " ") }
            guard
                let converted = batch.joined(separator: "\n").applyingTransform(
                    StringTransform(transform), reverse: false)
            else { continue }
            let lines = converted.split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.count == positions.count else { continue }
            for (position, line) in zip(positions, lines) { romanised[position] = String(line) }
        }
        return romanised.map(parts(of:))
    }

    /// Steps 2 and 3 for a name already in Latin script.
    static func parts(of name: String) -> NormalizedName {
        let azerbaijani = name.contains { azerbaijaniLetters.contains($0) }
        var folded = ""
        for character in name {
            if let replacement = azerbaijaniFolds[character] {
                folded += replacement
            } else {
                folded.append(character)
            }
        }
        let ascii =
            folded.unicodeScalars.allSatisfy(\.isASCII)
            ? folded : folded.applyingTransform(.toLatin, reverse: false).flatMap {
                $0.applyingTransform(StringTransform("Latin-ASCII"), reverse: false)
            } ?? folded
        var parts: [NormalizedName.Part] = []
        var current = ""
        func flush() {
            guard !current.isEmpty else { return }
            parts.append(NormalizedName.Part(latin: current, skeleton: skeleton(current, azerbaijani: azerbaijani)))
            current = ""
        }
        for scalar in ascii.lowercased().unicodeScalars {
            switch scalar {
            case "a"..."z": current.unicodeScalars.append(scalar)
            // Apostrophes and modifier letters mark aspiration or softness inside a word.
            case "'", "`", "\u{2019}", "\u{2018}", "\u{02BC}", "\u{02BB}", "\u{02B9}", "\u{02BA}", "\u{00B4}": continue
            default: flush()
            }
        }
        flush()
        return NormalizedName(parts: parts)
    }

    /// A part's skeleton (step 3); `latin` is lowercase ASCII letters.
    public static func skeleton(_ latin: String, azerbaijani: Bool = false) -> String {
        var letters = Array(latin.utf8)
        var expanded: [UInt8] = []
        expanded.reserveCapacity(letters.count + 2)
        for letter in letters {
            switch letter {
            case UInt8(ascii: "q"): expanded.append(UInt8(ascii: "g"))
            case UInt8(ascii: "x"): expanded += [UInt8(ascii: "k"), UInt8(ascii: "h")]
            case UInt8(ascii: "c") where azerbaijani: expanded.append(UInt8(ascii: "j"))
            default: expanded.append(letter)
            }
        }
        letters = expanded
        // -ian / -jan → -yan
        if letters.count > 4, letters.suffix(2) == [UInt8(ascii: "a"), UInt8(ascii: "n")],
            letters[letters.count - 3] == UInt8(ascii: "j")
        {
            letters[letters.count - 3] = UInt8(ascii: "y")
        }
        let vowels: Set<UInt8> = Set("aeiouy".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(letters.count)
        for (index, letter) in letters.enumerated() {
            var letter = letter
            if letter == UInt8(ascii: "h") { continue }
            if letter == UInt8(ascii: "i"), index > 0, index + 1 < letters.count, vowels.contains(letters[index + 1]) {
                letter = UInt8(ascii: "y")
            }
            if letter == UInt8(ascii: "z"), output.last == UInt8(ascii: "t") { letter = UInt8(ascii: "s") }
            if output.last == letter { continue }
            output.append(letter)
        }
        return String(decoding: output, as: UTF8.self)
    }
}
