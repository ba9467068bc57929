import Foundation

/// What `vigil source test` finds: one source fetched and read as a run would, nothing
/// stored or sent, and everything that would fail the run or read wrong — records without
/// a key or name, duplicate keys, status words no map covers, dates no format reads, and
/// configured fields that never (or only sometimes) match.
public struct SourceDiagnosis: Sendable {
    public var sourceID: String
    public var type: String
    /// Why the source fails closed (fetch, type, no rows), if it does.
    public var failure: SourceFailure?
    /// Every record read, in document order.
    public var records: [Record] = []
    /// What would fail a run: missing keys or names, duplicate keys (each says where).
    public var problems: [String] = []
    /// Status words no status map covers, with how many records have each.
    public var unmappedStatuses: [String: Int] = [:]
    public var unparsedDates = 0
    /// Each configured field with the number of records that have a value for it.
    public var fieldCoverage: [(field: String, present: Int)] = []
    /// True when the source maps no status: every record reads as `unknown`.
    public var mapsNoStatus = false

    /// Configured fields no record has.
    public var fieldsNeverMatched: [String] { fieldCoverage.filter { $0.present == 0 }.map(\.field) }

    /// True when a run would fail this source closed.
    public var wouldFailRun: Bool { failure != nil || !problems.isEmpty }

    /// Fetches and reads `source` with `fetcher` (no validators: always the whole document).
    public static func test(_ source: SourceConfiguration, fetcher: SourceFetcher) async -> SourceDiagnosis {
        var diagnosis = SourceDiagnosis(sourceID: source.id, type: source.type)
        diagnosis.mapsNoStatus = source.mapping.status == nil
        var probing = source
        probing.mapping.collectsProblems = true
        let parsed: ParsedSource
        do {
            guard case .document(let document, _) = try await fetcher.fetch(probing, validators: Validators()) else {
                throw SourceFailure.fetch("the server answered 304 Not Modified to a request without validators")
            }
            parsed = try await probing.parse(document, context: fetcher.context(for: probing))
        } catch let failure as SourceFailure {
            diagnosis.failure = failure
            return diagnosis
        } catch {
            diagnosis.failure = .fetch("\(error)")
            return diagnosis
        }
        diagnosis.records = parsed.records
        diagnosis.problems = parsed.problems
        diagnosis.unparsedDates = parsed.unparsedDates
        for record in parsed.records {
            if case .unmapped(let word) = record.status { diagnosis.unmappedStatuses[word, default: 0] += 1 }
        }
        diagnosis.fieldCoverage = source.mapping.fields.map(\.name).sorted().map { name in
            (name, parsed.records.count { $0.field(name) != nil })
        }
        return diagnosis
    }
}
