import Curl
import Foundation
import VigilCommandSource
import VigilCore
import VigilFeed
import VigilHTML
import VigilTesting
import VigilXLSX

/// Configures one source from a JSON snippet with every source kind Vigil ships, and reads
/// it the way a run does (fetch, then read with links followed), without storing anything.
enum SourceHarness {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/Sources").path

    static var registry: SourceRegistry {
        var registry = SourceRegistry()
        registry.register(HTMLSourceReaderFactory())
        registry.register(FeedSourceReaderFactory())
        registry.register(XLSXSourceReaderFactory())
        registry.register(CommandSourceReaderFactory())
        return registry
    }

    /// The source configured by `json` (one element of `sources`), relative paths resolving in `directory`.
    static func source(_ json: String, directory: String = fixtures) throws -> SourceConfiguration {
        let text = "{\"sources\": [\(json)], \"outputs\": [{\"id\": \"console\", \"type\": \"stdout\"}]}"
        let configuration = try Configuration.parse(
            Array(text.utf8), file: directory + "/vigil.json", sources: registry)
        guard let source = configuration.sources.first else { throw HarnessError.noSource }
        return source
    }

    /// Fetches and reads `source` as a run would; `${env:…}` references resolve in `environment`.
    static func read(
        _ source: SourceConfiguration, directory: String = fixtures,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> ParsedSource {
        try await CurlEngine.withEngine { curl in
            let fetcher = SourceFetcher(curl: curl, configDirectory: directory, environment: environment)
            guard case .document(let document, _) = try await fetcher.fetch(source, validators: Validators()) else {
                throw HarnessError.notModified
            }
            return try await source.parse(document, context: fetcher.context(for: source))
        }
    }

    /// Reads the source configured by `json`.
    static func read(_ json: String, directory: String = fixtures) async throws -> ParsedSource {
        try await read(try source(json, directory: directory), directory: directory)
    }

    /// Stores `bytes` on the test HTTP server as `/feed/NAME`, served with `contentType`.
    static func serve(_ bytes: [UInt8], as name: String, contentType: String) async throws -> String {
        let base = try TestServers.http()
        try await CurlEngine.withEngine { curl in
            var request = CurlRequest(url: "\(base)/feed/\(name)", method: .put)
            request.allowedProtocols = "http"
            request.body = bytes
            request.headers = [("Content-Type", contentType)]
            let response = try await curl.perform(request)
            guard response.status < 300 else { throw HarnessError.upload(response.status) }
        }
        return "\(base)/feed/\(name)"
    }

    /// Serves a fixture file under its own name.
    static func serveFixture(_ name: String, contentType: String) async throws -> String {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + name)))
        return try await serve(bytes, as: name, contentType: contentType)
    }

    enum HarnessError: Error {
        case noSource
        case notModified
        case upload(Int)
    }
}

extension ParsedSource {
    /// The records as `key: name [status] field=value…`, for readable expectations.
    var lines: [String] {
        records.map { record in
            var parts: [String] = ["\(record.key): \(record.name)", "[\(record.status)]"]
            for field in record.sortedFields { parts.append("\(field.name)=\(field.value)") }
            return parts.joined(separator: " ")
        }
    }
}
