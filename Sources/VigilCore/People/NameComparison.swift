/// How two names agree: a score in 0…1 and the reasons, part by part.
public struct NameAgreement: Sendable, Equatable {
    public var score: Double
    public var reasons: [String]
}

/// Compares two normalised names part by part: one part of each must agree as the surname
/// (Jaro-Winkler of the skeletons ≥ ``surnameThreshold``), and at least one other part of
/// each as a given name (≥ ``givenThreshold``, or an initial with the same first letter);
/// parts may come in any order. Patronymics (`-ovich`, `-evna`, …; an Armenian genitive
/// such as `Gagiki` beside `Gagik`) never stand in for a given name, so a father and his
/// son do not agree. Extra parts cost a little each.
public enum NameComparison {
    public static let surnameThreshold = 0.9
    public static let givenThreshold = 0.85
    /// What an initial that fits counts for, as a given-name similarity.
    static let initialSimilarity = 0.85
    static let extraPartCost = 0.04

    public static func compare(_ a: NormalizedName, _ b: NormalizedName) -> NameAgreement? {
        let found = a.keys.withUnsafeBufferPointer { left in
            b.keys.withUnsafeBufferPointer { right in best(left, right) }
        }
        return found.map { agreement(a.parts, b.parts, $0) }
    }

    /// The best assignment of two names' parts, from their keys alone (nothing counted or
    /// copied: the matcher calls it for every pair of a block); nil when they do not agree.
    static func best(_ left: UnsafeBufferPointer<PartKey>, _ right: UnsafeBufferPointer<PartKey>) -> Assignment? {
        guard left.count >= 2, right.count >= 2, left.count <= 8, right.count <= 8 else { return nil }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: left.count * right.count) { similarity in
            best(left, right, similarity: similarity)
        }
    }

    /// The best assignment: a surname pair, given-name pairs, similarities and extras.
    struct Assignment {
        var score: Double
        var surname: (Int, Int, Double)
        var given: [(Int, Int, Double)]
        var surnameLooksLikeOne = false
    }

    /// `similarity`: room for every part pair's similarity, computed once (0 where they may
    /// not be paired), row by row.
    private static func best(
        _ left: UnsafeBufferPointer<PartKey>, _ right: UnsafeBufferPointer<PartKey>,
        similarity: UnsafeMutableBufferPointer<Double>
    ) -> Assignment? {
        var anySurname = false
        for i in left.indices {
            for j in right.indices {
                let value = pairSimilarity(left[i], right[j])
                similarity[i * right.count + j] = value
                if value >= surnameThreshold && !left[i].isInitial && !right[j].isInitial && !left[i].isPatronymic
                    && !right[j].isPatronymic
                {
                    anySurname = true
                }
            }
        }
        guard anySurname else { return nil }
        var best: Assignment?
        for i in left.indices where !left[i].isInitial && !left[i].isPatronymic {
            for j in right.indices where !right[j].isInitial && !right[j].isPatronymic {
                let surname = similarity[i * right.count + j]
                guard surname >= surnameThreshold else { continue }
                // The other parts, paired greedily, best first.
                var usedLeft: UInt16 = 1 << i
                var usedRight: UInt16 = 1 << j
                var given: [(Int, Int, Double)] = []
                var givenTotal = 0.0
                var givenCount = 0
                while true {
                    var pick: (Int, Int, Double)?
                    for x in left.indices where usedLeft & (1 << x) == 0 {
                        for y in right.indices where usedRight & (1 << y) == 0 {
                            let value = similarity[x * right.count + y]
                            if value >= givenThreshold && value > pick?.2 ?? 0 { pick = (x, y, value) }
                        }
                    }
                    guard let pick else { break }
                    usedLeft |= 1 << pick.0
                    usedRight |= 1 << pick.1
                    given.append(pick)
                    if !(left[pick.0].isPatronymic && right[pick.1].isPatronymic) {
                        givenTotal += pick.2
                        givenCount += 1
                    }
                }
                guard givenCount > 0 else { continue }
                let extras = left.count + right.count - 2 - 2 * given.count
                let score =
                    0.55 * surname + 0.45 * (givenTotal / Double(givenCount)) - extraPartCost * Double(extras)
                // Equal scores (`Ani Gevorgyan` / `Gevorgyan Ani`): the surname is the part that looks like one.
                let looksLikeSurname = left[i].hasSurnameEnding || right[j].hasSurnameEnding
                if score > best?.score ?? -1
                    || (score == best?.score && looksLikeSurname && !(best?.surnameLooksLikeOne ?? false))
                {
                    best = Assignment(
                        score: score, surname: (i, j, surname), given: given, surnameLooksLikeOne: looksLikeSurname)
                }
            }
        }
        return best
    }

    /// The score and the reasons of the assignment kept.
    static func agreement(
        _ left: [NormalizedName.Part], _ right: [NormalizedName.Part], _ found: Assignment
    ) -> NameAgreement {
        let (i, j, surname) = found.surname
        var reasons = [reason("surname", left[i], right[j], surname)]
        var pairedLeft: Set<Int> = [i]
        var pairedRight: Set<Int> = [j]
        for (x, y, value) in found.given {
            pairedLeft.insert(x)
            pairedRight.insert(y)
            let p = left[x]
            let q = right[y]
            if p.isPatronymic && q.isPatronymic {
                reasons.append(reason("patronymic", p, q, value))
            } else if p.isInitial || q.isInitial {
                reasons.append("initial \(p.isInitial ? p.latin : q.latin). fits \(p.isInitial ? q.latin : p.latin)")
            } else {
                reasons.append(reason("given name", p, q, value))
            }
        }
        for x in left.indices where !pairedLeft.contains(x) { reasons.append("extra part \(left[x].latin)") }
        for y in right.indices where !pairedRight.contains(y) { reasons.append("extra part \(right[y].latin)") }
        return NameAgreement(score: max(0, min(1, found.score)), reasons: reasons)
    }

    /// How well two parts agree as the same name part; 0 where they may not stand for each
    /// other (a patronymic and a given name, a patronymic made from the other part).
    private static func pairSimilarity(_ x: PartKey, _ y: PartKey) -> Double {
        guard x.isPatronymic == y.isPatronymic else { return 0 }
        if x.isPatronymicForm(of: y) || y.isPatronymicForm(of: x) { return 0 }
        if x.isInitial || y.isInitial {
            // As written or as skeleton: `H.` fits Hovhannes, `O.` fits Ovannes, its Russian form.
            let xFirsts = [x.firstLatin, x.firstSkeleton].filter { $0 != 0 }
            let fits = [y.firstLatin, y.firstSkeleton].contains { $0 != 0 && xFirsts.contains($0) }
            return fits ? initialSimilarity : 0
        }
        return x.similarity(to: y)
    }

    private static func reason(_ role: String, _ x: NormalizedName.Part, _ y: NormalizedName.Part, _ similarity: Double)
        -> String
    {
        x.latin == y.latin
            ? "\(role) \(x.latin) agrees"
            : "\(role) \(x.latin) ≈ \(y.latin) (\(Score.format(similarity)))"
    }

    /// Endings of Russian and Azerbaijani patronymics (a part over 6 letters).
    static let patronymicEndings = ["ovich", "evich", "ovna", "evna", "ichna", "oglu", "ogly", "qizi", "kyzy"]
}

/// Scores as people read them.
enum Score {
    /// Two decimals ("0.93").
    static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let text = String(hundredths % 100)
        return "\(hundredths / 100)." + (text.count == 1 ? "0" + text : text)
    }
}
