import Curl
import Foundation

/// The first stages of a run: fetch each source (concurrently), read it into records, and
/// compare them with the stored ones beside the fetch. Pushed documents enter here too.
struct SourceStage {
    let configuration: Configuration
    let store: any RecordReading
    let curl: CurlEngine

    /// Reads every fetched source (only those in `only` when given). A source whose stored
    /// records cannot be read is a state failure: the run stops without applying anything.
    func readAll(states: [String: SourceState], only: Set<String>?) async -> [String: Result<SourceReading, StateError>]
    {
        let fetcher = SourceFetcher(curl: curl, configDirectory: configuration.directory)
        return await withTaskGroup(of: (String, Result<SourceReading, StateError>).self) { group in
            for source in configuration.sources where only?.contains(source.id) ?? true {
                if case .push = source.location { continue }
                // A source not yet baselined fetches unconditionally, so a 304 cannot skip its baseline.
                let state = states[source.id]
                let baselined = state?.baselineAt != nil
                let validators =
                    !baselined || state?.isFailing == true ? Validators() : state?.validators ?? Validators()
                group.addTask {
                    let reading = await catching {
                        switch try await fetcher.fetch(source, validators: validators) {
                        case .notModified:
                            return .notModified
                        case .document(let document, let fresh):
                            // Load the stored digests on another core while this one parses.
                            async let loaded = Result { () throws(StateError) in
                                try store.storedDigests(source: source.id)
                            }
                            var context = fetcher.context(for: source)
                            if baselined {
                                context.knownRecords = KnownRecords(keys: try store.storedRawDigests(source: source.id))
                            }
                            let parsed = try await source.parse(document, context: context)
                            let comparison = try await Detector.compare(
                                parsed, stored: try await loaded.get(), contents: contents(of: source.id),
                                baselined: baselined)
                            return .parsed(parsed, validators: fresh, comparison)
                        }
                    }
                    return (source.id, reading)
                }
            }
            var readings: [String: Result<SourceReading, StateError>] = [:]
            for await (id, reading) in group { readings[id] = reading }
            return readings
        }
    }

    /// Reads a document pushed for `source`: the source's records (compared like a fetch,
    /// removals included), or `{"record": {…}}` for one record (added or changed, nothing
    /// removed).
    func readPush(_ source: SourceConfiguration, body: [UInt8], baselined: Bool) async -> Result<
        SourceReading, StateError
    > {
        await catching {
            if let single = try await Self.singleRecord(body, source: source) {
                let stored = try store.storedDigests(source: source.id, keys: single.records.map(\.key))
                let comparison = try await Detector.compare(
                    single, stored: stored, contents: contents(of: source.id), baselined: baselined, partial: true)
                return .parsed(single, validators: Validators(), comparison)
            }
            let parsed = try await source.parse(body)
            let comparison = try await Detector.compare(
                parsed, stored: try store.storedDigests(source: source.id), contents: contents(of: source.id),
                baselined: baselined)
            return .parsed(parsed, validators: Validators(), comparison)
        }
    }

    /// The record of a `{"record": {…}}` push, read with the source's mapping; nil for a
    /// whole document.
    static func singleRecord(_ body: [UInt8], source: SourceConfiguration) async throws -> ParsedSource? {
        guard let value = try? JSONParser.parse(body), case .object? = value["record"]?.kind,
            let record = value["record"]
        else { return nil }
        var document = "["
        JSONWriter.write(record, to: &document)
        document += "]"
        return try await JSONRecordReader.read(
            Array(document.utf8), records: try JSONPath("$[*]"), mapping: source.mapping)
    }

    func contents(of source: String) -> @Sendable ([String]) throws -> [String: String] {
        { [store] keys in try store.storedContents(source: source, keys: keys) }
    }

    /// A source failure becomes a failed reading; a state failure is returned as such.
    private func catching(_ body: () async throws -> SourceReading) async -> Result<SourceReading, StateError> {
        do {
            return .success(try await body())
        } catch let failure as SourceFailure {
            return .success(.failed(failure))
        } catch let failure as StateError {
            return .failure(failure)
        } catch {
            return .failure(.database("\(error)"))
        }
    }
}
