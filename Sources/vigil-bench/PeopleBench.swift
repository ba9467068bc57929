import Foundation
import VigilCore

extension VigilBench {
    /// `vigil-bench people DIR [THRESHOLD]`: matches the records of DIR's `*.json` sources
    /// (arrays of `{"id", "name", "born"}`, as `Tests/Servers/make_people.py` writes them)
    /// with birth dates as evidence and for automatic links, once; prints one JSON line:
    /// seconds (normalising and matching), records, proposals, automatic links and, when
    /// DIR has `truth.json`, precision and recall of both.
    static func people(directory: String, threshold: Double?) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".json") && $0 != "truth.json" }.sorted()
        var records: [(sourceID: String, record: Record)] = []
        for file in files {
            let source = String(file.dropLast(5))
            let root = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file))))
            guard case .array(let items) = root.kind else { continue }
            for item in items {
                var fields: [String: String] = [:]
                if let born = item["born"]?.scalarText { fields["born"] = born }
                records.append(
                    (
                        source,
                        Record(
                            key: item["id"]?.scalarText ?? "", name: item["name"]?.scalarText ?? "",
                            status: .canonical(.detained), fields: fields)
                    ))
            }
        }
        var settings = PeopleSettings()
        settings.compare = ["born"]
        settings.autoLink = PeopleSettings.AutoLink(agree: ["born"])
        if let threshold { settings.proposeAbove = threshold }
        let matcher = PersonMatcher(settings: settings)
        let clock = ContinuousClock()
        let started = clock.now
        let candidates = matcher.candidates(records)
        let normalised = clock.now - started
        let matches = matcher.matches(in: candidates)
        let automatic = PersonMatcher.unambiguousAutoLinks(matches)
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var output =
            "{\"seconds\": \(seconds), \"records\": \(records.count), \"proposals\": \(matches.count), "
            + "\"automatic\": \(automatic.count), \"normaliseSeconds\": \(Double(normalised.components.attoseconds) / 1e18)"
        if let data = FileManager.default.contents(atPath: directory + "/truth.json"),
            case .object(let members) = try JSONParser.parse(Array(data)).kind
        {
            var truth: [RecordRef: String] = [:]
            for member in members { if let ref = RecordRef(member.key) { truth[ref] = member.value.scalarText } }
            var byPerson: [String: [RecordRef]] = [:]
            for (ref, person) in truth { byPerson[person, default: []].append(ref) }
            var truePairs = 0
            for refs in byPerson.values {
                let sources = Dictionary(grouping: refs, by: \.sourceID).mapValues(\.count)
                let total = sources.values.reduce(0, +)
                truePairs += (total * total - sources.values.reduce(0) { $0 + $1 * $1 }) / 2
            }
            func isTrue(_ pair: RecordPair) -> Bool {
                truth[pair.first] != nil && truth[pair.first] == truth[pair.second]
            }
            let correct = matches.filter { isTrue($0.pair) }.count
            let automaticCorrect = automatic.filter(isTrue).count
            let wrong = matches.filter { !isTrue($0.pair) }.prefix(15).map { "\($0.pair) \($0.reasons)" }
            output +=
                ", \"truePairs\": \(truePairs), \"precision\": \(Double(correct) / Double(max(1, matches.count))), "
                + "\"recall\": \(Double(correct) / Double(max(1, truePairs))), "
                + "\"automaticPrecision\": \(Double(automaticCorrect) / Double(max(1, automatic.count))), "
                + "\"automaticRecall\": \(Double(automaticCorrect) / Double(max(1, truePairs)))"
            if CommandLine.arguments.contains("--explain") {
                FileHandle.standardError.write(Data(wrong.joined(separator: "\n").utf8))
                var missed: [String] = []
                let found = Set(matches.map(\.pair))
                let names = Dictionary(
                    records.map { (RecordRef(sourceID: $0.sourceID, key: $0.record.key), $0.record.name) },
                    uniquingKeysWith: { a, _ in a })
                for refs in byPerson.values {
                    for a in refs {
                        for b in refs where a < b && a.sourceID != b.sourceID && !found.contains(RecordPair(a, b)) {
                            missed.append("\(names[a] ?? "") ~ \(names[b] ?? "")")
                        }
                    }
                }
                FileHandle.standardError.write(Data(("\nMISSED\n" + missed.prefix(40).joined(separator: "\n")).utf8))
            }
        }
        print(output + "}")
    }
}
