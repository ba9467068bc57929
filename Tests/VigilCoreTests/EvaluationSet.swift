import Foundation

@testable import VigilCore

/// The cross-script evaluation set `Tests/Servers/make_people.py` writes (invented people in
/// Armenian, Russian, English and Azerbaijani Latin), read into records and the truth.
struct EvaluationSet {
    var records: [(sourceID: String, record: Record)] = []
    /// Record → the invented person it renders.
    var truth: [RecordRef: String] = [:]

    static func generate(seed: Int, persons: Int = 360) throws -> EvaluationSet {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-people-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Servers/make_people.py").standardizedFileURL.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, directory, "--seed", "\(seed)", "--persons", "\(persons)"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        var set = EvaluationSet()
        for source in ["hy", "ru", "en", "az"] {
            let root = try JSONParser.parse(
                Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(source).json"))))
            guard case .array(let items) = root.kind else { continue }
            for item in items {
                let born = item["born"]?.scalarText
                set.records.append(
                    (
                        source,
                        Record(
                            key: item["id"]?.scalarText ?? "", name: item["name"]?.scalarText ?? "",
                            status: .canonical(.detained), fields: born.map { ["born": $0] } ?? [:])
                    ))
            }
        }
        let truth = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/truth.json"))))
        if case .object(let members) = truth.kind {
            for member in members {
                if let ref = RecordRef(member.key), let person = member.value.scalarText { set.truth[ref] = person }
            }
        }
        return set
    }

    /// Pairs of records of different sources that are one person.
    var truePairCount: Int {
        var bySource: [String: [String: Int]] = [:]
        for (ref, person) in truth { bySource[person, default: [:]][ref.sourceID, default: 0] += 1 }
        return bySource.values.reduce(0) { total, sources in
            let all = sources.values.reduce(0, +)
            return total + (all * all - sources.values.reduce(0) { $0 + $1 * $1 }) / 2
        }
    }

    func isTrue(_ pair: RecordPair) -> Bool {
        truth[pair.first] != nil && truth[pair.first] == truth[pair.second]
    }
}
