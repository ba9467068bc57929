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

    static let patronymicSuffixes = ["ichna", "ovich", "evich", "ovna", "evna", "ich", "i"]

    init(latin: String, skeleton: String) {
        let skeletonBytes = Array(skeleton.utf8.prefix(32))
        count = skeletonBytes.count
        withUnsafeMutableBytes(of: &bytes) { raw in
            for (index, byte) in skeletonBytes.enumerated() { raw[index] = byte }
        }
        let latinBytes = Array(latin.utf8)
        isInitial = latinBytes.count == 1
        isPatronymic =
            latinBytes.count > 6 && NameComparison.patronymicEndings.contains { latin.hasSuffix($0) }
        firstLatin = latinBytes.first ?? 0
        firstSkeleton = skeletonBytes.first ?? 0
        latinHash = Self.hash(latinBytes[...])
        var bases: [UInt64] = []
        for suffix in Self.patronymicSuffixes where latinBytes.count > suffix.utf8.count + 2 {
            if latin.hasSuffix(suffix) { bases.append(Self.hash(latinBytes.dropLast(suffix.utf8.count))) }
        }
        baseHashes = (bases.first ?? 0, bases.dropFirst().first ?? 0)
        hasSurnameEnding =
            latinBytes.count > 4
            && ["yan", "ian", "jan", "yants", "yantz", "ov", "ova", "ev", "eva", "in", "ina", "uni"].contains {
                latin.hasSuffix($0)
            }
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

    /// Jaro-Winkler similarity of the two skeletons.
    func similarity(to other: PartKey) -> Double {
        var left = bytes
        var right = other.bytes
        let leftCount = count
        let rightCount = other.count
        return withUnsafeBytes(of: &left) { a in
            withUnsafeBytes(of: &right) { b in
                JaroWinkler.similarity(
                    UnsafeBufferPointer(rebasing: a.bindMemory(to: UInt8.self)[0..<leftCount]),
                    UnsafeBufferPointer(rebasing: b.bindMemory(to: UInt8.self)[0..<rightCount]))
            }
        }
    }
}
