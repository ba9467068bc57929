import Foundation
import Testing

@testable import VigilCore

/// The matcher on generated cross-script sets (at least 300 invented people in four scripts,
/// with namesakes, shared names, patronymics, initials and typos): automatic links must all
/// be right; proposals must find at least 95% of the true pairs at 90% precision or better.
@Suite struct PeopleEvaluationTests {
    @Test(arguments: [2026, 7])
    func proposalsAndAutomaticLinksMeetTheTargets(seed: Int) throws {
        let set = try EvaluationSet.generate(seed: seed)
        #expect(Set(set.truth.values).count >= 300)
        var settings = PeopleSettings()
        settings.compare = ["born"]
        settings.autoLink = PeopleSettings.AutoLink(agree: ["born"])
        let matcher = PersonMatcher(settings: settings)
        let matches = matcher.matches(in: matcher.candidates(set.records))
        let automatic = PersonMatcher.unambiguousAutoLinks(matches)
        let correct = matches.filter { set.isTrue($0.pair) }.count
        let precision = Double(correct) / Double(matches.count)
        let recall = Double(correct) / Double(set.truePairCount)
        let wrongAutomatic = automatic.filter { !set.isTrue($0) }
        print(
            "people evaluation seed \(seed): \(set.records.count) records, \(set.truePairCount) true pairs, "
                + "\(matches.count) proposals, precision \(precision), recall \(recall), "
                + "\(automatic.count) automatic links, \(wrongAutomatic.count) wrong")
        #expect(wrongAutomatic.isEmpty, "\(wrongAutomatic.prefix(5))")
        #expect(automatic.count > set.truePairCount / 2, "automatic links do most of the work")
        #expect(precision >= 0.9)
        #expect(recall >= 0.95)
    }
}
