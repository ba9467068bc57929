import Foundation

/// A name as Vigil compares it across scripts: romanised to lowercase ASCII and split into
/// parts, each with a phonetic skeleton that absorbs the usual spelling variation.
public struct NormalizedName: Sendable, Equatable {
    /// One part of a name (a given name, a surname, a patronymic, an initial).
    public struct Part: Sendable, Equatable {
        /// Romanised, lowercase ASCII letters ("vardanyan", "rruben", "r" for an initial).
        public let latin: String
        /// What parts are compared on (see ``NameNormalizer/skeleton(_:)``).
        public let skeleton: String
        /// A single letter: an initial, which agrees with any part starting with it.
        public var isInitial: Bool { latin.utf8.count == 1 }
        /// A Russian or Azerbaijani patronymic, by its ending.
        var isPatronymic: Bool { key.isPatronymic }
        /// What comparisons read.
        let key: PartKey

        public init(latin: String, skeleton: String) {
            self.latin = latin
            self.skeleton = skeleton
            key = PartKey(latin: latin, skeleton: skeleton)
        }

        public static func == (lhs: Part, rhs: Part) -> Bool {
            lhs.latin == rhs.latin && lhs.skeleton == rhs.skeleton
        }
    }

    public let parts: [Part]
    /// The parts' comparison keys, in order.
    let keys: [PartKey]

    public init(parts: [Part]) {
        self.parts = parts
        keys = parts.map(\.key)
    }

    public static func == (lhs: NormalizedName, rhs: NormalizedName) -> Bool { lhs.parts == rhs.parts }

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

    /// Normalises many names, running each ICU transform once per 256 names that need it.
    public static func normalize(_ names: [String]) -> [NormalizedName] {
        var romanised = names
        transform(&romanised, "Armenian-Latin/BGN") { (0x0530...0x058F).contains($0.value) }
        // ICU's rules read the aspiration mark as a word boundary, so `ո` after an aspirated
        // consonant comes out as a word-initial "vo" (Քոչարյան → K’voch’aryan, not K’och’aryan).
        for index in romanised.indices where romanised[index].contains("\u{2019}vo") {
            romanised[index] = romanised[index].replacingOccurrences(of: "\u{2019}vo", with: "\u{2019}o")
        }
        transform(&romanised, "Russian-Latin/BGN") { (0x0400...0x04FF).contains($0.value) }
        let azerbaijani = romanised.map { name in name.contains { azerbaijaniLetters.contains($0) } }
        var folded = romanised.map(fold)
        transform(&folded, "Any-Latin; Latin-ASCII") { !$0.isASCII }
        return zip(folded, azerbaijani).map { parts(ofASCII: $0, azerbaijani: $1) }
    }

    /// Runs ICU transform `id` over the names with a scalar that `needs` it: one line per
    /// name (the transforms treat a line break as a word boundary), 256 names per call (ICU
    /// edits the string in place, so one huge batch would cost its square).
    private static func transform(_ names: inout [String], _ id: String, needs: (Unicode.Scalar) -> Bool) {
        let positions = names.indices.filter { names[$0].unicodeScalars.contains(where: needs) }
        for start in stride(from: 0, to: positions.count, by: 256) {
            let chunk = positions[start..<min(start + 256, positions.count)]
            let batch = chunk.map { position in
                let name = names[position]
                return name.utf8.contains(0x0A) ? name.replacingOccurrences(of: "\n", with: " ") : name
            }
            guard
                let converted = batch.joined(separator: "\n").applyingTransform(StringTransform(id), reverse: false)
            else { continue }
            let lines = converted.split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.count == chunk.count else { continue }
            for (position, line) in zip(chunk, lines) { names[position] = String(line) }
        }
    }

    /// Azerbaijani letters folded (step 2), apostrophes and modifier letters dropped (they
    /// mark aspiration or softness inside a word).
    private static func fold(_ name: String) -> String {
        if name.utf8.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "'") && $0 != UInt8(ascii: "`") }) { return name }
        var folded = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            switch scalar {
            case "'", "`", "\u{2019}", "\u{2018}", "\u{02BC}", "\u{02BB}", "\u{02B9}", "\u{02BA}", "\u{00B4}": continue
            default:
                if scalar.isASCII {
                    folded.append(scalar)
                } else if let replacement = azerbaijaniFolds[Character(scalar)] {
                    folded.append(contentsOf: replacement.unicodeScalars)
                } else {
                    folded.append(scalar)
                }
            }
        }
        return String(folded)
    }

    /// Lowercases, splits at anything but a letter, and builds the skeletons (step 3).
    private static func parts(ofASCII text: String, azerbaijani: Bool) -> NormalizedName {
        var parts: [NormalizedName.Part] = []
        var current: [UInt8] = []
        func flush() {
            guard !current.isEmpty else { return }
            let latin = String(decoding: current, as: UTF8.self)
            parts.append(NormalizedName.Part(latin: latin, skeleton: skeleton(latin, azerbaijani: azerbaijani)))
            current.removeAll(keepingCapacity: true)
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): current.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): current.append(byte + 32)
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
        func isVowel(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a"), UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "o"), UInt8(ascii: "u"),
                UInt8(ascii: "y"):
                true
            default: false
            }
        }
        var output: [UInt8] = []
        output.reserveCapacity(letters.count)
        for (index, letter) in letters.enumerated() {
            var letter = letter
            if letter == UInt8(ascii: "h") { continue }
            if letter == UInt8(ascii: "i"), index > 0, index + 1 < letters.count, isVowel(letters[index + 1]) {
                letter = UInt8(ascii: "y")
            }
            if letter == UInt8(ascii: "z"), output.last == UInt8(ascii: "t") { letter = UInt8(ascii: "s") }
            if output.last == letter { continue }
            output.append(letter)
        }
        return String(decoding: output, as: UTF8.self)
    }
}
