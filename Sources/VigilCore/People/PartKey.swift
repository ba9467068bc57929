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

    /// FNV-1a, never 0.
    private static func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash | 1
    }

    /// `self` is a patronymic made from the given name `other`.
    func isPatronymicForm(of other: PartKey) -> Bool {
        baseHashes.0 == other.latinHash || baseHashes.1 == other.latinHash
    }

    /// Jaro-Winkler similarity of the two skeletons (as ``JaroWinkler/similarity(_:_:)``
    /// computes it), with the match flags in two 64-bit masks.
    func similarity(to other: PartKey) -> Double {
        let aCount = count
        let bCount = other.count
        guard aCount > 0, bCount > 0 else { return 0 }
        // Unused bytes are zero, so equal skeletons have equal words.
        if aCount == bCount && bytes.0 == other.bytes.0 && bytes.1 == other.bytes.1 && bytes.2 == other.bytes.2
            && bytes.3 == other.bytes.3
        {
            return 1
        }
        var left = bytes
        var right = other.bytes
        return withUnsafeBytes(of: &left) { a in
            withUnsafeBytes(of: &right) { b in
                let window = max(0, max(aCount, bCount) / 2 - 1)
                var aFlags: UInt64 = 0
                var bFlags: UInt64 = 0
                var matches = 0
                for i in 0..<aCount {
                    let low = max(0, i - window)
                    let high = min(bCount - 1, i + window)
                    guard low <= high else { continue }
                    let letter = a[i]
                    for j in low...high where bFlags & (1 << j) == 0 && b[j] == letter {
                        aFlags |= 1 << i
                        bFlags |= 1 << j
                        matches += 1
                        break
                    }
                }
                guard matches > 0 else { return 0 }
                var transpositions = 0
                var j = 0
                for i in 0..<aCount where aFlags & (1 << i) != 0 {
                    while bFlags & (1 << j) == 0 { j += 1 }
                    if a[i] != b[j] { transpositions += 1 }
                    j += 1
                }
                let m = Double(matches)
                let jaro = (m / Double(aCount) + m / Double(bCount) + (m - Double(transpositions / 2)) / m) / 3
                guard jaro > 0.7 else { return jaro }
                var prefix = 0
                while prefix < min(4, aCount, bCount), a[prefix] == b[prefix] { prefix += 1 }
                return jaro + Double(prefix) * 0.1 * (1 - jaro)
            }
        }
    }
}
