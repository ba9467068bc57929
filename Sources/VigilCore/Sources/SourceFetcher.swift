import Curl
import Foundation

/// What one fetch of a source produced.
public enum FetchResult: Sendable {
    /// The server said the document has not changed since the stored validators (HTTP 304).
    case notModified
    /// A fresh document, with the validators to send next time.
    case document(SourceDocument, validators: Validators)
}

extension FetchResult {
    /// The same result with no validators to keep (for sources fetched whole every run).
    var withoutValidators: FetchResult {
        guard case .document(let document, _) = self else { return self }
        return .document(document, validators: Validators())
    }
}

/// HTTP cache validators kept per source, so an unchanged source costs one 304.
public struct Validators: Sendable, Equatable {
    public var etag: String?
    public var lastModified: String?

    public init(etag: String? = nil, lastModified: String? = nil) {
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// Fetches a source's document over HTTP(S) through curl, or from a local file.
public struct SourceFetcher: Sendable {
    public let curl: CurlEngine
    public let configDirectory: String
    public let environment: [String: String]

    public init(
        curl: CurlEngine, configDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.curl = curl
        self.configDirectory = configDirectory
        self.environment = environment
    }

    public func fetch(_ source: SourceConfiguration, validators: Validators) async throws(SourceFailure) -> FetchResult
    {
        switch source.location {
        case .file(let path):
            let document = SourceDocument(
                bytes: try Self.readFile(path, limit: source.maxBytes), url: URL(fileURLWithPath: path).absoluteString)
            return .document(document, validators: Validators())
        case .url(let url):
            // A 304 for the first page cannot vouch for the pages it links to: no validators.
            guard !source.reader.followsLinks else {
                return try await fetch(url: url, source: source, validators: Validators(), credentials: true)
                    .withoutValidators
            }
            return try await fetch(url: url, source: source, validators: validators, credentials: true)
        case .produced:
            return .document(try await source.reader.produce(context: context(for: source)), validators: Validators())
        case .push:
            throw .fetch("a push source is not fetched; it is pushed to vigil serve")
        }
    }

    /// What `source`'s reader may use: its mapping, the configuration's folder and
    /// environment, and a fetch of the documents its first document links to.
    public func context(for source: SourceConfiguration) -> SourceReadContext {
        SourceReadContext(
            sourceID: source.id, mapping: source.mapping, directory: configDirectory, environment: environment,
            maxBytes: source.maxBytes
        ) { url throws(SourceFailure) in
            try await fetchLinked(url, source: source)
        }
    }

    /// A document linked from a source's first document (a next page, an export link). A
    /// web page's links are fetched over HTTP(S) only, and with the source's credentials only
    /// at the source's own origin; a local file's links are local files only, so a page can
    /// never make Vigil read a file.
    func fetchLinked(_ url: String, source: SourceConfiguration) async throws(SourceFailure) -> SourceDocument {
        let lower = url.lowercased()
        switch source.location {
        case .url(let first):
            guard lower.hasPrefix("https://") || (lower.hasPrefix("http://") && source.endpoint?.allowHTTP != false)
            else {
                throw .fetch(
                    "a link to \(Self.redacted(url)) was not followed: a web source follows http(s) links only")
            }
            let sameOrigin = Origin(url) == Origin(first)
            let result = try await fetch(url: url, source: source, validators: Validators(), credentials: sameOrigin)
            guard case .document(let document, _) = result else {
                throw .fetch("\(Self.redacted(url)) answered 304 Not Modified to a request without validators")
            }
            return document
        case .file:
            guard let link = URL(string: url), link.isFileURL else {
                throw .fetch("a link to \(Self.redacted(url)) was not followed: a file source follows file links only")
            }
            return SourceDocument(bytes: try Self.readFile(link.path, limit: source.maxBytes), url: url)
        case .push, .produced:
            throw .fetch("a link to \(Self.redacted(url)) was not followed: this source has no address of its own")
        }
    }

    /// A URL for messages: scheme, host and path, without the query (which may hold a token).
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "an invalid address" }
        components.query = nil
        components.fragment = nil
        components.user = nil
        components.password = nil
        return components.string ?? "an invalid address"
    }

    /// Reads a local file of at most `limit` bytes. The size is checked before reading, and
    /// reading stops one byte past the limit, so a huge (or growing) file is never read whole.
    static func readFile(_ path: String, limit: Int) throws(SourceFailure) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .fetch("cannot read file \(path)") }
        defer { try? handle.close() }
        let tooLarge = SourceFailure.fetch("file larger than \(limit) bytes")
        do {
            let size = try handle.seekToEnd()
            guard size <= UInt64(limit) else { throw tooLarge }
            try handle.seek(toOffset: 0)
            // The usual case, a file that keeps its size, is read straight into the array;
            // one byte more is asked for to notice a file that grew while it was read.
            var failure: Int32 = 0
            var bytes = [UInt8](unsafeUninitializedCapacity: Int(size) + 1) { buffer, initialized in
                initialized = 0
                guard let base = buffer.baseAddress else { return }
                while initialized < buffer.count {
                    let got = read(handle.fileDescriptor, base + initialized, buffer.count - initialized)
                    if got > 0 {
                        initialized += got
                    } else if got == 0 {
                        return
                    } else if errno != EINTR {
                        failure = errno
                        return
                    }
                }
            }
            if failure != 0 {
                throw SourceFailure.fetch("cannot read file \(path): \(String(cString: strerror(failure)))")
            }
            while bytes.count > Int(size),
                let chunk = try handle.read(upToCount: min(1 << 20, limit + 1 - bytes.count)), !chunk.isEmpty
            {
                bytes += chunk
                guard bytes.count <= limit else { throw tooLarge }
            }
            guard bytes.count <= limit else { throw tooLarge }
            return bytes
        } catch let failure as SourceFailure {
            throw failure
        } catch {
            throw .fetch("cannot read file \(path): \(error.localizedDescription)")
        }
    }

    /// Fetches `url` with the source's settings. Without `credentials`, the source's headers
    /// and authentication stay behind.
    private func fetch(url: String, source: SourceConfiguration, validators: Validators, credentials: Bool)
        async throws(SourceFailure) -> FetchResult
    {
        var endpoint = source.endpoint ?? HTTPEndpoint(url: url, allowHTTP: true)
        if !credentials {
            endpoint.headers = []
            endpoint.authentication = nil
        }
        let resolved: HTTPEndpoint.Resolved
        do {
            resolved = try endpoint.resolve(directory: configDirectory, environment: environment)
        } catch {
            throw .fetch("secret: \(error.description)")
        }
        // Credentials never follow a redirect through curl: ``perform(_:curl:)`` follows it
        // and drops them when the origin changes.
        var request = endpoint.request(
            url: url, method: .get, headers: [], body: nil, resolved: resolved, maxResponseBytes: source.maxBytes)
        request.allowedProtocols = url.lowercased().hasPrefix("https://") ? "https" : "http,https"
        request.followRedirects = resolved.headers.isEmpty && resolved.authentication == nil
        if let etag = validators.etag { request.headers.append(("If-None-Match", etag)) }
        if let lastModified = validators.lastModified { request.headers.append(("If-Modified-Since", lastModified)) }
        request.headers.append(("Accept", source.reader.accept))

        let response = try await Self.perform(request, curl: curl)
        if response.status == 304 { return .notModified }
        guard (200..<300).contains(response.status) else { throw .httpStatus(response.status) }
        let contentType = response.header("Content-Type")
        if let contentType, contentType.lowercased().contains("text/html"), !source.reader.readsHTML {
            throw .wrongType(
                "expected \(source.reader.documentName), the server sent text/html (a login or captcha page?)")
        }
        let document = SourceDocument(
            bytes: response.body, contentType: contentType,
            url: response.effectiveURL.isEmpty ? url : response.effectiveURL)
        return .document(
            document,
            validators: Validators(etag: response.header("ETag"), lastModified: response.header("Last-Modified")))
    }

    /// Performs `request`. When it carries credentials (custom headers, authentication), curl
    /// does not follow redirects; they are followed here, and a redirect to another origin
    /// (scheme, host or port) goes there without the credentials, so a secret sent to a list's
    /// server never reaches a host the list's owner redirects to.
    static func perform(_ request: CurlRequest, curl: CurlEngine) async throws(SourceFailure) -> CurlResponse {
        var request = request
        let origin = Origin(request.url)
        var credentials = (headers: request.headers, authentication: request.authentication)
        for _ in 0...request.maxRedirects {
            let response: CurlResponse
            do {
                response = try await curl.perform(request)
            } catch {
                throw .fetch(error.description)
            }
            guard !request.followRedirects, [301, 302, 303, 307, 308].contains(response.status),
                let next = response.redirectURL
            else { return response }
            if Origin(next) != origin {
                // Keep what any client would send (validators, Accept); drop what the config added.
                let safe: Set<String> = ["accept", "if-none-match", "if-modified-since"]
                credentials.headers = credentials.headers.filter { safe.contains($0.name.lowercased()) }
                credentials.authentication = nil
            }
            request.url = next
            request.headers = credentials.headers
            request.authentication = credentials.authentication
        }
        throw .fetch("more than \(request.maxRedirects) redirects")
    }

    /// Scheme, host and port of a URL, compared to decide whether credentials may follow.
    struct Origin: Equatable {
        var scheme: String?
        var host: String?
        var port: Int?

        init(_ url: String) {
            let components = URLComponents(string: url)
            scheme = components?.scheme?.lowercased()
            host = components?.host?.lowercased()
            port = components?.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : nil)
        }
    }
}

extension SourceConfiguration {
    /// Reads a fetched or pushed document into records with the source's reader and mapping.
    public func parse(_ bytes: [UInt8]) async throws(SourceFailure) -> ParsedSource {
        try await parse(SourceDocument(bytes: bytes), context: SourceReadContext(sourceID: id, mapping: mapping))
    }

    /// Reads `document` with the source's reader; `context` lets the reader follow links.
    public func parse(_ document: SourceDocument, context: SourceReadContext) async throws(SourceFailure)
        -> ParsedSource
    {
        guard !document.isBlank else { throw .empty("the document is empty") }
        return try await reader.read(document, context: context)
    }
}
