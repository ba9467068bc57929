/// Jaro-Winkler similarity as `jellyfish.jaro_winkler_similarity` computes it: the Jaro
/// score, raised for a common prefix of up to 4 characters (scale 0.1) when it is above
/// 0.7; 1 for equal strings, 0 when nothing matches.
public enum JaroWinkler {
    public static func similarity(_ a: String, _ b: String) -> Double {
        similarity(Array(a.unicodeScalars), Array(b.unicodeScalars))
    }

    static func similarity<Units: RandomAccessCollection>(_ a: Units, _ b: Units) -> Double
    where Units.Element: Equatable, Units.Index == Int {
        let jaro = jaro(a, b)
        guard jaro > 0.7 else { return jaro }
        var prefix = 0
        while prefix < min(4, a.count, b.count), a[prefix] == b[prefix] { prefix += 1 }
        return jaro + Double(prefix) * 0.1 * (1 - jaro)
    }

    static func jaro<Units: RandomAccessCollection>(_ a: Units, _ b: Units) -> Double
    where Units.Element: Equatable, Units.Index == Int {
        if a.isEmpty || b.isEmpty { return 0 }
        if a.elementsEqual(b) { return 1 }
        // Match flags of a, then of b; names are short, so they live on the stack.
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: a.count + b.count) { flags in
            flags.initialize(repeating: false)
            return jaro(a, b, flags: flags)
        }
    }

    private static func jaro<Units: RandomAccessCollection>(
        _ a: Units, _ b: Units, flags: UnsafeMutableBufferPointer<Bool>
    ) -> Double where Units.Element: Equatable, Units.Index == Int {
        let window = max(0, max(a.count, b.count) / 2 - 1)
        var matches = 0
        for i in a.indices {
            let low = max(0, i - window)
            let high = min(b.count - 1, i + window)
            guard low <= high else { continue }
            for j in low...high where !flags[a.count + j] && a[i] == b[j] {
                flags[i] = true
                flags[a.count + j] = true
                matches += 1
                break
            }
        }
        guard matches > 0 else { return 0 }
        var transpositions = 0
        var j = 0
        for i in a.indices where flags[i] {
            while !flags[a.count + j] { j += 1 }
            if a[i] != b[j] { transpositions += 1 }
            j += 1
        }
        let m = Double(matches)
        return (m / Double(a.count) + m / Double(b.count) + (m - Double(transpositions / 2)) / m) / 3
    }
}
