import Curl
import Foundation

/// One HTTP endpoint as configured, read the same way wherever Vigil talks HTTP (sources,
/// the webhook and Matrix plugins): the URL, whether plain `http://` is allowed, extra
/// headers, credentials, TLS and timeouts. Secrets stay references until ``resolve(directory:)``.
public struct HTTPEndpoint: Sendable {
    /// Credentials sent with each request.
    public enum Authentication: Sendable {
        case basic(username: SecretString, password: SecretString)
        case bearer(SecretString)
    }

    /// `"tls": {"verify": …, "caFile": …}`; verification stays on unless turned off.
    public struct TLS: Sendable, Equatable {
        public var verify: Bool
        /// An absolute path (read relative to the configuration file).
        public var caFile: String?

        public init(verify: Bool = true, caFile: String? = nil) {
            self.verify = verify
            self.caFile = caFile
        }
    }

    public var url: String
    public var allowHTTP: Bool
    public var headers: [(name: String, value: SecretString)]
    public var authentication: Authentication?
    public var tls: TLS
    public var timeout: Duration
    public var connectTimeout: Duration

    public init(
        url: String, allowHTTP: Bool = false, headers: [(name: String, value: SecretString)] = [],
        authentication: Authentication? = nil, tls: TLS = TLS(), timeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(10)
    ) {
        self.url = url
        self.allowHTTP = allowHTTP
        self.headers = headers
        self.authentication = authentication
        self.tls = tls
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// Headers and credentials with their secrets resolved: made once per batch or fetch,
    /// never logged, never stored.
    public struct Resolved: Sendable {
        public var headers: [(name: String, value: String)]
        public var authentication: CurlRequest.Authentication?

        public init(headers: [(name: String, value: String)] = [], authentication: CurlRequest.Authentication? = nil) {
            self.headers = headers
            self.authentication = authentication
        }
    }

    /// Resolves the secrets of the headers and credentials (`${env:…}`, `${file:…}`).
    public func resolve(
        directory: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SecretString.Failure) -> Resolved {
        var resolved = Resolved(headers: [], authentication: nil)
        for (name, value) in headers {
            resolved.headers.append((name, try value.resolve(environment: environment, directory: directory)))
        }
        switch authentication {
        case .basic(let username, let password)?:
            resolved.authentication = .basic(
                username: try username.resolve(environment: environment, directory: directory),
                password: try password.resolve(environment: environment, directory: directory))
        case .bearer(let token)?:
            resolved.authentication = .bearer(try token.resolve(environment: environment, directory: directory))
        case nil:
            break
        }
        return resolved
    }
}

extension HTTPEndpoint {
    /// A request to this endpoint (or to `url`, a per-notification address on the same
    /// settings) with its TLS, timeouts and allowed protocols; redirects are not followed.
    public func request(
        url: String? = nil, method: CurlRequest.Method, headers: [(name: String, value: String)], body: [UInt8]?,
        resolved: Resolved, maxResponseBytes: Int
    ) -> CurlRequest {
        CurlRequest(
            url: url ?? self.url, method: method, headers: headers + resolved.headers, body: body,
            authentication: resolved.authentication, allowedProtocols: allowHTTP ? "http,https" : "https",
            followRedirects: false, connectTimeout: connectTimeout, totalTimeout: timeout, verifyTLS: tls.verify,
            caFile: tls.caFile, maxResponseBytes: maxResponseBytes)
    }
}
