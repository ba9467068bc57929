/// Finds records of different sources that may be one person, fast enough for every run:
/// names are normalised once, pairs are only scored within small blocks (records sharing
/// a given name's first letter and three letters of another part), and each pair is
/// scored by ``NameComparison`` plus the configured evidence fields.
public struct PersonMatcher: Sendable {
    /// A record as matching sees it.
    public struct Candidate: Sendable {
        public var record: RecordRef
        public var name: NormalizedName
        /// The evidence fields' values (those present).
        public var fields: [String: String]

        public init(record: RecordRef, name: NormalizedName, fields: [String: String]) {
            self.record = record
            self.name = name
            self.fields = fields
        }
    }

    /// A pair worth a person's look (or an automatic link).
    public struct Match: Sendable, Equatable {
        public var pair: RecordPair
        /// Name and evidence together, 0…1.
        public var score: Double
        /// The names alone.
        public var nameScore: Double
        public var reasons: [String]
        /// Every automatic-link field is present in both and equal, and the name score is enough.
        public var qualifiesForAutoLink: Bool
    }

    public let settings: PeopleSettings
    /// Blocks larger than this are not paired (a key shared by thousands says nothing).
    public var maxBlock = 500

    public init(settings: PeopleSettings) {
        self.settings = settings
    }

    /// Candidates for `records` (source id, record): names normalised in one batch.
    public func candidates(_ records: [(sourceID: String, record: Record)]) -> [Candidate] {
        let fields = Set(settings.compare + (settings.autoLink?.agree ?? []))
        let names = NameNormalizer.normalize(records.map(\.record.name))
        return zip(records, names).map { entry, name in
            var values: [String: String] = [:]
            for field in fields { if let value = entry.record.field(field) { values[field] = value } }
            return Candidate(
                record: RecordRef(sourceID: entry.sourceID, key: entry.record.key), name: name, fields: values)
        }
    }

    /// Scored pairs of records from different sources, at or above the proposal threshold,
    /// best first. With `only`, pairs need one record in it (the records new in a run).
    /// `skip` leaves out pairs already decided or already one person.
    public func matches(in candidates: [Candidate], only: Set<RecordRef>? = nil, skip: (RecordPair) -> Bool = { _ in false })
        -> [Match]
    {
        var blocks: [String: [Int32]] = [:]
        for (index, candidate) in candidates.enumerated() {
            for key in Self.blockingKeys(candidate.name) { blocks[key, default: []].append(Int32(index)) }
        }
        var seen: Set<UInt64> = []
        var matches: [Match] = []
        for members in blocks.values where members.count > 1 && members.count <= maxBlock {
            for x in members.indices {
                let a = candidates[Int(members[x])]
                let aIsNew = only?.contains(a.record) ?? true
                for y in members.index(after: x)..<members.endIndex {
                    let b = candidates[Int(members[y])]
                    guard a.record.sourceID != b.record.sourceID, aIsNew || only?.contains(b.record) ?? true else {
                        continue
                    }
                    let low = UInt64(UInt32(min(members[x], members[y])))
                    let high = UInt64(UInt32(max(members[x], members[y])))
                    guard seen.insert(low << 32 | high).inserted else { continue }
                    let pair = RecordPair(a.record, b.record)
                    guard !skip(pair), let match = score(a, b, pair: pair) else { continue }
                    matches.append(match)
                }
            }
        }
        return matches.sorted { ($0.score, $1.pair.first, $1.pair.second) > ($1.score, $0.pair.first, $0.pair.second) }
    }

    /// One pair's score and reasons; nil below the proposal threshold.
    public func score(_ a: Candidate, _ b: Candidate, pair: RecordPair) -> Match? {
        guard let names = NameComparison.compare(a.name, b.name) else { return nil }
        var score = names.score
        var reasons = names.reasons
        for field in settings.compare {
            guard let left = a.fields[field], let right = b.fields[field] else { continue }
            if left == right {
                score += PeopleSettings.agreementBonus
                reasons.append("\(field) agrees (\(left))")
            } else {
                score -= PeopleSettings.disagreementCost
                reasons.append("\(field) differs (\(left) / \(right))")
            }
        }
        score = max(0, min(1, score))
        guard score >= settings.proposeAbove else { return nil }
        var automatic = false
        if let auto = settings.autoLink, names.score >= auto.minScore {
            automatic = auto.agree.allSatisfy { field in
                guard let left = a.fields[field], let right = b.fields[field] else { return false }
                return left == right
            }
        }
        return Match(pair: pair, score: score, nameScore: names.score, reasons: reasons, qualifiesForAutoLink: automatic)
    }

    /// For each ordered pair of parts (x, y): x's first letter (as written and as skeleton)
    /// with the first and with the last three letters of y's skeleton. A typo must hit
    /// both ends of a part, or a first letter, to hide a pair.
    static func blockingKeys(_ name: NormalizedName) -> Set<String> {
        var keys: Set<String> = []
        let parts = name.parts
        guard parts.count >= 2 else { return keys }
        for (i, x) in parts.enumerated() {
            let letters = Set([x.latin.first, x.skeleton.first].compactMap { $0 })
            for (j, y) in parts.enumerated() where i != j && !y.isInitial && y.skeleton.count >= 2 {
                let head = String(y.skeleton.prefix(3))
                let tail = String(y.skeleton.suffix(3))
                for letter in letters {
                    keys.insert("\(letter)<\(head)")
                    keys.insert("\(letter)>\(tail)")
                }
            }
        }
        return keys
    }
}
