import Foundation
import Testing
import VigilTesting

@testable import VigilCore

/// Names across scripts, pair by pair: what agrees, what must not.
@Suite struct PeopleMatchingTests {
    func agreement(_ a: String, _ b: String) -> NameAgreement? {
        let names = NameNormalizer.normalize([a, b])
        return NameComparison.compare(names[0], names[1])
    }

    @Test func oneManInFourScriptsIsOneName() throws {
        let forms = ["Ռուբեն Վարդանյան", "Рубен Варданян", "Ruben Vardanyan", "Vardanyan Ruben", "Ruben Vardanian"]
        for a in forms {
            for b in forms where a != b {
                let found = try #require(agreement(a, b), "\(a) ~ \(b)")
                #expect(found.score > 0.95, "\(a) ~ \(b): \(found.reasons)")
            }
        }
        #expect(NameNormalizer.normalize("Ռուբեն Վարդանյան").parts.map(\.skeleton) == ["ruben", "vardanyan"])
    }

    @Test(arguments: [
        ("Հովհաննես Ղուկասյան", "Ованес Гукасян"),  // the Armenian h dropped in Russian, gh → g
        ("Ghukasian Hovhannes", "Qukasyan Hovhannes"),  // -ian, Azerbaijani q
        ("Xaçatryan Aşot", "Ashot Khachatryan"),  // Azerbaijani x, ç, ş
        ("Хачатрян Ашот Гагикович", "Ashot Khachatryan"),  // a patronymic on one side only
        ("R. Vardanyan", "Ruben Vardanyan"),  // an initial
        ("Vahe Karapetyan", "Ваге Карапетян"),  // h written as г
        ("Քոչարյան Արմեն", "Armen Kocharyan"),  // an aspirate before ո
        ("Arakelyan Ashto", "Ashot Arakelyan"),  // a typo
    ])
    func variantsAgree(a: String, b: String) {
        #expect(agreement(a, b) != nil, "\(a) ~ \(b)")
    }

    @Test(arguments: [
        ("Ruben Vardanyan", "Aram Vardanyan"),  // same surname, another man
        ("Ruben Vardanyan", "Ruben Hakobyan"),  // same given name, another man
        ("Ashot Gagikovich Khachatryan", "Gagik Khachatryan"),  // a son and his father
        ("Աշոտ Գագիկի Խաչատրյան", "Gagik Khachatryan"),  // the same, Armenian genitive patronymic
        ("Vardanyan", "Ruben Vardanyan"),  // one part is not a name to compare
    ])
    func differentPeopleDoNotAgree(a: String, b: String) {
        #expect(agreement(a, b) == nil, "\(a) ~ \(b): \(agreement(a, b)?.reasons ?? [])")
    }

    @Test func reasonsSayWhichPartIsTheSurname() throws {
        let found = try #require(agreement("Gevorqyan Ani", "Անի Գևորգյան"))
        #expect(found.reasons.first == "surname gevorqyan ≈ gevorgyan (1.00)", "\(found.reasons)")
        #expect(found.reasons.contains("given name ani agrees"))
    }

    @Test func birthDatesWeighAsEvidenceAndGateAutomaticLinks() throws {
        var settings = PeopleSettings()
        settings.compare = ["born"]
        settings.autoLink = PeopleSettings.AutoLink(agree: ["born"])
        let matcher = PersonMatcher(settings: settings)
        func record(_ key: String, _ name: String, born: String?) -> Record {
            Record(key: key, name: name, status: .canonical(.detained), fields: born.map { ["born": $0] } ?? [:])
        }
        let candidates = matcher.candidates([
            ("hy", record("1", "Ռուբեն Վարդանյան", born: "1968-05-25")),
            ("ru", record("A", "Варданян Рубен", born: "1968-05-25")),
            ("en", record("x", "Ruben Vardanyan", born: "1990-01-02")),  // a namesake
            ("az", record("q", "Vardanyan Ruben", born: nil)),
        ])
        let matches = matcher.matches(in: candidates)
        let pairs = Dictionary(uniqueKeysWithValues: matches.map { ("\($0.pair)", $0) })
        let same = try #require(pairs["hy:1 ~ ru:A"])
        #expect(same.qualifiesForAutoLink && same.reasons.contains("born agrees (1968-05-25)"))
        #expect(pairs["en:x ~ hy:1"] == nil, "a different birth date: not proposed")
        let unknown = try #require(pairs["az:q ~ hy:1"], "no birth date: proposed for a person's look")
        #expect(!unknown.qualifiesForAutoLink, "never linked by name alone")
        #expect(PersonMatcher.unambiguousAutoLinks(matches) == [RecordPair(RecordRef("hy:1")!, RecordRef("ru:A")!)])
    }

    @Test func skipLeavesDecidedPairsOutAndOnlyNewRecordsArePaired() {
        let matcher = PersonMatcher(settings: PeopleSettings())
        let people = ["Ruben Vardanyan", "Рубен Варданян", "Vardanyan Ruben"]
        let candidates = matcher.candidates(
            people.enumerated().map {
                ("s\($0.offset)", Record(key: "k", name: $0.element, status: .canonical(.detained)))
            })
        #expect(matcher.matches(in: candidates).count == 3)
        let fresh: Set<RecordRef> = [RecordRef(sourceID: "s2", key: "k")]
        #expect(matcher.matches(in: candidates, only: fresh).count == 2)
        let rejected = RecordPair(RecordRef(sourceID: "s0", key: "k"), RecordRef(sourceID: "s2", key: "k"))
        #expect(matcher.matches(in: candidates, only: fresh) { $0 == rejected }.count == 1)
    }

    // MARK: - Independent implementations

    @Test func jaroWinklerIsJellyfishs() async throws {
        var random = SeededGenerator(seed: 0x1A20)
        let names = NameNormalizer.normalize(Self.sampleNames).flatMap { $0.parts.map(\.skeleton) }
        var pairs: [[String]] = [["", ""], ["a", "b"], ["davit", "david"], ["martha", "marhta"]]
        for _ in 0..<1500 {
            pairs.append([names.randomElement(using: &random) ?? "", names.randomElement(using: &random) ?? ""])
        }
        let input = try JSONSerialization.data(withJSONObject: ["pairs": pairs])
        let output = try await PythonOracle.run(
            "people_reference.py", input: String(decoding: input, as: UTF8.self), arguments: ["jw"])
        let expected = try #require(
            try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [Double]])["similarity"]
        try #require(expected?.count == pairs.count)
        for (pair, wanted) in zip(pairs, expected ?? []) {
            #expect(abs(JaroWinkler.similarity(pair[0], pair[1]) - wanted) < 1e-12, "\(pair)")
        }
    }

    @Test func theMatchersJaroWinklerIsTheCheckedOne() {
        var random = SeededGenerator(seed: 0x2B)
        let parts = NameNormalizer.normalize(Self.sampleNames).flatMap(\.parts)
        for _ in 0..<5000 {
            guard let a = parts.randomElement(using: &random), let b = parts.randomElement(using: &random) else {
                continue
            }
            #expect(
                a.key.similarity(to: b.key) == JaroWinkler.similarity(a.skeleton, b.skeleton),
                "\(a.skeleton) ~ \(b.skeleton)")
        }
    }

    @Test func romanisationAgreesWithDebiansICU() async throws {
        let names = Self.sampleNames
        let input = try JSONSerialization.data(withJSONObject: ["names": names])
        let output = try await PythonOracle.run(
            "people_reference.py", input: String(decoding: input, as: UTF8.self), interpreter: "/usr/bin/python3",
            arguments: ["latin"])
        let expected = try #require(
            try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [String]])["latin"]
        try #require(expected?.count == names.count)
        let ours = NameNormalizer.normalize(names).map(\.latin)
        let differing = zip(names, zip(ours, expected ?? [])).filter { $1.0 != $1.1 }
        #expect(differing.isEmpty, "\(differing.prefix(10))")
    }

    /// Every name of a generated evaluation set (four scripts), read once.
    static let sampleNames: [String] = {
        guard let directory = try? EvaluationSet.generate(seed: 11) else { return [] }
        return directory.records.map(\.record.name)
    }()
}
