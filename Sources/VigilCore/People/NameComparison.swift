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
        let left = a.parts
        let right = b.parts
        guard left.count >= 2, right.count >= 2 else { return nil }
        var best: NameAgreement?
        for i in left.indices where !left[i].isInitial && !isPatronymic(left[i]) {
            for j in right.indices where !right[j].isInitial && !isPatronymic(right[j]) {
                let surname = JaroWinkler.similarity(left[i].skeleton, right[j].skeleton)
                guard surname >= surnameThreshold else { continue }
                guard
                    let agreement = given(
                        left: left.indices.filter { $0 != i }.map { left[$0] },
                        right: right.indices.filter { $0 != j }.map { right[$0] }, surname: surname,
                        surnameReason: reason("surname", left[i], right[j], surname))
                else { continue }
                if agreement.score > best?.score ?? -1 { best = agreement }
            }
        }
        return best
    }

    /// Pairs the remaining parts greedily, best similarity first.
    private static func given(
        left: [NormalizedName.Part], right: [NormalizedName.Part], surname: Double, surnameReason: String
    ) -> NameAgreement? {
        var candidates: [(i: Int, j: Int, similarity: Double, patronymic: Bool)] = []
        for (i, x) in left.enumerated() {
            for (j, y) in right.enumerated() {
                let patronymic = isPatronymic(x) && isPatronymic(y)
                guard patronymic || (!isPatronymic(x) && !isPatronymic(y)) else { continue }
                guard !isPatronymicForm(x, of: y), !isPatronymicForm(y, of: x) else { continue }
                let similarity: Double
                if x.isInitial || y.isInitial {
                    similarity = firstLettersFit(x, y) ? initialSimilarity : 0
                } else {
                    similarity = JaroWinkler.similarity(x.skeleton, y.skeleton)
                }
                if similarity >= givenThreshold { candidates.append((i, j, similarity, patronymic)) }
            }
        }
        candidates.sort { $0.similarity > $1.similarity }
        var usedLeft: Set<Int> = []
        var usedRight: Set<Int> = []
        var givenTotal = 0.0
        var givenCount = 0
        var reasons = [surnameReason]
        for candidate in candidates where !usedLeft.contains(candidate.i) && !usedRight.contains(candidate.j) {
            usedLeft.insert(candidate.i)
            usedRight.insert(candidate.j)
            let x = left[candidate.i]
            let y = right[candidate.j]
            if candidate.patronymic {
                reasons.append(reason("patronymic", x, y, candidate.similarity))
                continue
            }
            givenTotal += candidate.similarity
            givenCount += 1
            if x.isInitial || y.isInitial {
                reasons.append("initial \(x.isInitial ? x.latin : y.latin). fits \(x.isInitial ? y.latin : x.latin)")
            } else {
                reasons.append(reason("given name", x, y, candidate.similarity))
            }
        }
        guard givenCount > 0 else { return nil }
        let extras =
            left.indices.filter { !usedLeft.contains($0) }.map { left[$0] }
            + right.indices.filter { !usedRight.contains($0) }.map { right[$0] }
        for extra in extras { reasons.append("extra part \(extra.latin)") }
        let score = 0.55 * surname + 0.45 * (givenTotal / Double(givenCount)) - extraPartCost * Double(extras.count)
        return NameAgreement(score: max(0, min(1, score)), reasons: reasons)
    }

    private static func reason(_ role: String, _ x: NormalizedName.Part, _ y: NormalizedName.Part, _ similarity: Double)
        -> String
    {
        x.latin == y.latin
            ? "\(role) \(x.latin) agrees"
            : "\(role) \(x.latin) ≈ \(y.latin) (\(Score.format(similarity)))"
    }

    /// An initial fits a part that starts with its letter, as written or as skeleton
    /// (`H.` fits Hovhannes, `O.` fits Ovannes, its Russian form).
    private static func firstLettersFit(_ x: NormalizedName.Part, _ y: NormalizedName.Part) -> Bool {
        let xFirsts = Set([x.latin.first, x.skeleton.first].compactMap { $0 })
        let yFirsts = Set([y.latin.first, y.skeleton.first].compactMap { $0 })
        return !xFirsts.isDisjoint(with: yFirsts)
    }

    static let patronymicEndings = ["ovich", "evich", "ovna", "evna", "ichna", "oglu", "ogly", "qizi", "kyzy"]

    /// A Russian (or Azerbaijani) patronymic by its ending.
    static func isPatronymic(_ part: NormalizedName.Part) -> Bool {
        part.latin.utf8.count > 6 && patronymicEndings.contains { part.latin.hasSuffix($0) }
    }

    /// `x` is a patronymic made from the given name `y` (Gagiki, Gagikovich from Gagik).
    private static func isPatronymicForm(_ x: NormalizedName.Part, of y: NormalizedName.Part) -> Bool {
        guard x.latin.count > y.latin.count, x.latin.hasPrefix(y.latin) else { return false }
        return ["i", "ovich", "evich", "ovna", "evna", "ich", "ichna"].contains(String(x.latin.dropFirst(y.latin.count)))
    }
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
