/// A name part as comparisons read it: plain values only (the skeleton's first 32 bytes
/// inline, flags, hashes), so comparing two names copies and counts no references.
struct PartKey: Sendable {
    private var bytes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// Skeleton length in bytes (at most 32 kept).
    let count: Int
    let isInitial: Bool
    let isPatronymic: Bool
    /// First letter as written and as skeleton (an initial fits either).
    let firstLatin: UInt8
    let firstSkeleton: UInt8
    let latinHash: UInt64
    /// The given names this part is a patronymic of, by hash (`gagiki`, `gagikovich` →
    /// `gagik`); 0 when none.
    let baseHashes: (UInt64, UInt64)
    /// Ends like an Armenian or Russian surname (`-yan`, `-yants`, `-ov`, `-ev`, `-in`, …).
    let hasSurnameEnding: Bool

    static let patronymicSuffixes = ["ichna", "ovich", "evich", "ovna", "evna", "ich", "i"].map { Array($0.utf8) }
    static let patronymicEndings = NameComparison.patronymicEndings.map { Array($0.utf8) }
    static let surnameEndings = ["yan", "ian", "jan", "yants", "yantz", "ov", "ova", "ev", "eva", "in", "ina", "uni"]
        .map { Array($0.utf8) }

    init(latin: String, skeleton: String) {
        let skeletonBytes = Array(skeleton.utf8.prefix(32))
        count = skeletonBytes.count
        withUnsafeMutableBytes(of: &bytes) { raw in
            for (index, byte) in skeletonBytes.enumerated() { raw[index] = byte }
        }
        let latinBytes = Array(latin.utf8)
        func ends(with suffix: [UInt8]) -> Bool {
            latinBytes.count >= suffix.count && latinBytes.suffix(suffix.count).elementsEqual(suffix)
        }
        isInitial = latinBytes.count == 1
        isPatronymic = latinBytes.count > 6 && Self.patronymicEndings.contains(where: ends)
        firstLatin = latinBytes.first ?? 0
        firstSkeleton = skeletonBytes.first ?? 0
        latinHash = Self.hash(latinBytes[...])
        var bases: [UInt64] = []
        for suffix in Self.patronymicSuffixes where latinBytes.count > suffix.count + 2 && ends(with: suffix) {
            bases.append(Self.hash(latinBytes.dropLast(suffix.count)))
        }
        baseHashes = (bases.first ?? 0, bases.dropFirst().first ?? 0)
        hasSurnameEnding = latinBytes.count > 4 && Self.surnameEndings.contains(where: ends)
    }

    /// FNV-1a, never 0 (0 means "no base" in ``baseHashes``).
    private static func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        FNV1a64.hash(bytes) | 1
    }

    /// `self` is a patronymic made from the given name `other`.
    func isPatronymicForm(of other: PartKey) -> Bool {
        baseHashes.0 == other.latinHash || baseHashes.1 == other.latinHash
    }

    /// Jaro-Winkler similarity of the two skeletons, read in place from the inline bytes.
    func similarity(to other: PartKey) -> Double {
        let aCount = count
        let bCount = other.count
        // Unused bytes are zero, so equal skeletons have equal words.
        if aCount == bCount && aCount > 0 && bytes.0 == other.bytes.0 && bytes.1 == other.bytes.1
            && bytes.2 == other.bytes.2 && bytes.3 == other.bytes.3
        {
            return 1
        }
        var left = bytes
        var right = other.bytes
        return withUnsafeBytes(of: &left) { a in
            withUnsafeBytes(of: &right) { b in
                JaroWinkler.similarity(
                    UnsafeBufferPointer(rebasing: a.bindMemory(to: UInt8.self)[0..<aCount]),
                    UnsafeBufferPointer(rebasing: b.bindMemory(to: UInt8.self)[0..<bCount]))
            }
        }
    }
}
