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

    /// Candidates for `records` (source id, record): names normalised in batches, on every core.
    public func candidates(_ records: [(sourceID: String, record: Record)]) -> [Candidate] {
        let fields = Set(settings.compare + (settings.autoLink?.agree ?? []))
        let names = Parallel.chunks(records.count) { range in
            NameNormalizer.normalize(records[range].map(\.record.name))
        }.flatMap { $0 }
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
    public func matches(
        in candidates: [Candidate], only: Set<RecordRef>? = nil, skip: (RecordPair) -> Bool = { _ in false }
    ) -> [Match] {
        let pairs = candidatePairs(candidates, only: only)
        // Every candidate's part keys in one flat array: comparing copies and counts nothing.
        var arena: [PartKey] = []
        var ranges: [Range<Int>] = []
        for candidate in candidates {
            ranges.append(arena.count..<(arena.count + candidate.name.keys.count))
            arena += candidate.name.keys
        }
        let keys = arena
        let bounds = ranges
        let found = Parallel.chunks(pairs.count) { range in
            keys.withUnsafeBufferPointer { arena in
                var part: [(match: Match, first: Int, second: Int)] = []
                for key in pairs[range] {
                    let first = Int(key >> 32)
                    let second = Int(key & 0xFFFF_FFFF)
                    guard
                        let assignment = NameComparison.best(
                            UnsafeBufferPointer(rebasing: arena[bounds[first]]),
                            UnsafeBufferPointer(rebasing: arena[bounds[second]])),
                        let match = score(candidates[first], candidates[second], assignment)
                    else { continue }
                    part.append((match, first, second))
                }
                return part
            }
        }.flatMap { $0 }.filter { !skip($0.match.pair) }
        return found.sorted { ($0.match.score, $1.first, $1.second) > ($1.match.score, $0.first, $0.second) }
            .map(\.match)
    }

    /// The pairs worth comparing, each once, as `first << 32 | second` (candidate positions,
    /// the smaller first): records of different sources sharing a block, one of them new.
    private func candidatePairs(_ candidates: [Candidate], only: Set<RecordRef>?) -> [UInt64] {
        var blocks: [UInt64: [Int32]] = [:]
        var initialBlocks: [UInt64: [Int32]] = [:]
        var initialQueries: [(candidate: Int32, key: UInt64)] = []
        for (index, candidate) in candidates.enumerated() {
            let keys = Self.blockingKeys(candidate.name)
            for key in keys.pairs { blocks[key, default: []].append(Int32(index)) }
            for key in keys.initialTargets { initialBlocks[key, default: []].append(Int32(index)) }
            for key in keys.initialQueries { initialQueries.append((Int32(index), key)) }
        }
        var sourceNumbers: [String: Int32] = [:]
        let sources = candidates.map { candidate in
            if let number = sourceNumbers[candidate.record.sourceID] { return number }
            let number = Int32(sourceNumbers.count)
            sourceNumbers[candidate.record.sourceID] = number
            return number
        }
        let fresh = candidates.map { only?.contains($0.record) ?? true }
        var pairs: [UInt64] = []
        func consider(_ a: Int32, _ b: Int32) {
            guard sources[Int(a)] != sources[Int(b)], fresh[Int(a)] || fresh[Int(b)] else { return }
            pairs.append(UInt64(UInt32(min(a, b))) << 32 | UInt64(UInt32(max(a, b))))
        }
        for members in blocks.values where members.count > 1 && members.count <= maxBlock {
            for x in members.indices {
                for y in members.index(after: x)..<members.endIndex { consider(members[x], members[y]) }
            }
        }
        for query in initialQueries {
            guard let members = initialBlocks[query.key], members.count <= maxBlock else { continue }
            for member in members { consider(query.candidate, member) }
        }
        pairs.sort()
        var unique = 0
        for index in pairs.indices where index == 0 || pairs[index] != pairs[index - 1] {
            pairs[unique] = pairs[index]
            unique += 1
        }
        pairs.removeLast(pairs.count - unique)
        return pairs
    }

    /// One pair's score and reasons; nil below the proposal threshold.
    public func score(_ a: Candidate, _ b: Candidate) -> Match? {
        let assignment = a.name.keys.withUnsafeBufferPointer { left in
            b.name.keys.withUnsafeBufferPointer { right in NameComparison.best(left, right) }
        }
        return assignment.flatMap { score(a, b, $0) }
    }

    /// Names and evidence together; the reasons are written only for a pair kept.
    private func score(_ a: Candidate, _ b: Candidate, _ assignment: NameComparison.Assignment) -> Match? {
        let nameScore = max(0, min(1, assignment.score))
        var score = nameScore
        var evidence: [String] = []
        for field in settings.compare {
            guard let left = a.fields[field], let right = b.fields[field] else { continue }
            if left == right {
                score += PeopleSettings.agreementBonus
                evidence.append("\(field) agrees (\(left))")
            } else {
                score -= PeopleSettings.disagreementCost
                evidence.append("\(field) differs (\(left) / \(right))")
            }
        }
        score = max(0, min(1, score))
        guard score >= settings.proposeAbove else { return nil }
        var automatic = false
        if let auto = settings.autoLink, nameScore >= auto.minScore {
            automatic = auto.agree.allSatisfy { field in
                guard let left = a.fields[field], let right = b.fields[field] else { return false }
                return left == right
            }
        }
        let reasons = NameComparison.agreement(a.name.parts, b.name.parts, assignment).reasons + evidence
        return Match(
            pair: RecordPair(a.record, b.record), score: score, nameScore: nameScore, reasons: reasons,
            qualifiesForAutoLink: automatic)
    }

    /// The matches that may be linked without a person: qualifying, and the only qualifying
    /// match of each of their two records in the other's source.
    public static func unambiguousAutoLinks(_ matches: [Match]) -> Set<RecordPair> {
        var qualifying: [String: Int] = [:]
        for match in matches where match.qualifiesForAutoLink {
            qualifying["\(match.pair.first)\u{0}\(match.pair.second.sourceID)", default: 0] += 1
            qualifying["\(match.pair.second)\u{0}\(match.pair.first.sourceID)", default: 0] += 1
        }
        return Set(
            matches.filter { match in
                match.qualifiesForAutoLink
                    && qualifying["\(match.pair.first)\u{0}\(match.pair.second.sourceID)"] == 1
                    && qualifying["\(match.pair.second)\u{0}\(match.pair.first.sourceID)"] == 1
            }.map(\.pair))
    }

    /// Surname endings left out of a blocking key's last letters (every Armenian surname
    /// would share `yan`).
    static let commonEndings = ["yants", "yan", "ova", "eva", "ov", "ev"]

    /// Where a name is filed, so that only names likely to agree are compared.
    struct BlockingKeys {
        /// For each two full parts (patronymics left out), in either order: the first three
        /// letters of both skeletons, and the last three of both (before a common ending).
        /// A typo must hit both ends of a part to hide a pair.
        var pairs: Set<UInt64> = []
        /// A full part's first letter with another full part's first two letters: what a
        /// name with an initial looks up (`R. Vardanyan` finds `Ruben Vardanyan`).
        var initialTargets: Set<UInt64> = []
        var initialQueries: Set<UInt64> = []

        /// A key as a number (FNV-1a of its parts, each ended by 0xFF): cheaper to file than text.
        static func key(_ parts: Substring...) -> UInt64 {
            var hash = FNV1a64()
            for part in parts {
                hash.write(contentsOf: part.utf8)
                hash.write(0xFF)
            }
            return hash.value
        }
    }

    /// A skeleton without its common surname ending.
    static func stem(_ skeleton: String) -> Substring {
        let whole = Substring(skeleton)
        guard let ending = commonEndings.first(where: { whole.hasSuffix($0) && whole.count > $0.count + 2 }) else {
            return whole
        }
        return whole.dropLast(ending.count)
    }

    /// A coarse sound code of a part, for blocking only (pairs are scored on skeletons):
    /// vowels read as one, `d`/`t` and `b`/`p` as one, and `g`/`k`/`q`/`c` dropped after
    /// the first letter — Russian forms write the Armenian `h` as `g` (Vahe, Ваге) and `gh`
    /// as `k` or `g` (Ghazaryan, Казарян).
    static func blockingCode(_ skeleton: Substring) -> String {
        var code: [UInt8] = []
        for (position, byte) in skeleton.utf8.enumerated() {
            var letter = byte
            switch byte {
            case UInt8(ascii: "a"), UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "o"), UInt8(ascii: "u"),
                UInt8(ascii: "y"):
                letter = UInt8(ascii: "a")
            case UInt8(ascii: "d"): letter = UInt8(ascii: "t")
            case UInt8(ascii: "b"): letter = UInt8(ascii: "p")
            case UInt8(ascii: "g"), UInt8(ascii: "k"), UInt8(ascii: "q"), UInt8(ascii: "c"):
                guard position == 0 else { continue }
                letter = UInt8(ascii: "k")
            default: break
            }
            if code.last != letter { code.append(letter) }
        }
        return String(decoding: code, as: UTF8.self)
    }

    static func blockingKeys(_ name: NormalizedName) -> BlockingKeys {
        var keys = BlockingKeys()
        let parts = name.parts.filter { !$0.isPatronymic }
        let full = parts.filter { !$0.isInitial && $0.skeleton.utf8.count >= 2 }
        let codes = full.map { blockingCode(stem($0.skeleton)) }
        for i in full.indices {
            for j in full.indices where j > i {
                let heads = [codes[i].prefix(3), codes[j].prefix(3)].sorted()
                keys.pairs.insert(BlockingKeys.key("h", heads[0], heads[1]))
                let tails = [codes[i].suffix(3), codes[j].suffix(3)].sorted()
                keys.pairs.insert(BlockingKeys.key("t", tails[0], tails[1]))
            }
            for j in full.indices where j != i {
                for letter in Set([full[i].latin.first, full[i].skeleton.first].compactMap { $0 }) {
                    keys.initialTargets.insert(BlockingKeys.key(Substring(String(letter)), full[j].skeleton.prefix(2)))
                }
            }
        }
        for initial in parts where initial.isInitial {
            for y in full {
                keys.initialQueries.insert(BlockingKeys.key(Substring(initial.latin), y.skeleton.prefix(2)))
            }
        }
        return keys
    }
}
