import VigilCEL

/// Keys that every network endpoint in the configuration reads the same way.
extension ObjectReader {
    /// `"tls": {"verify": false, "caFile": "ca.pem"}`: verification stays on unless turned off
    /// explicitly; the CA file is relative to the configuration file.
    public mutating func tlsSettings() -> (verify: Bool, caFile: String?) {
        guard let found = value("tls"), var tls = reader.object(found, path: path(of: "tls")) else {
            return (true, nil)
        }
        defer { tls.finish() }
        return (tls.optionalBool("verify") ?? true, tls.optionalString("caFile").map(reader.path))
    }

    /// An endpoint URL under `key`: `https://` only, unless `"allowHTTP": true` is given beside it.
    /// Returns the URL (without trailing slashes for a `base`) and whether http is allowed.
    public mutating func endpointURL(_ key: String, base: Bool = false) -> (url: String?, allowHTTP: Bool) {
        let allowHTTP = optionalBool("allowHTTP") ?? false
        guard var url = string(key) else { return (nil, allowHTTP) }
        let lower = url.lowercased()
        if !(lower.hasPrefix("https://") || (allowHTTP && lower.hasPrefix("http://"))) {
            report(
                allowHTTP
                    ? "expected an http:// or https:// URL"
                    : "expected an https:// URL (\"allowHTTP\": true allows http://)",
                key: key)
            return (nil, allowHTTP)
        }
        while base, url.hasSuffix("/") { url.removeLast() }
        return (url, allowHTTP)
    }
}

extension ObjectReader {
    /// `"headers": {"Name": "value or ${env:…}"}`: names must be HTTP tokens; the `reserved`
    /// names (lowercase) are the protocol's own and cannot be set.
    public mutating func httpHeaders(reserved: Set<String> = []) -> [(name: String, value: SecretString)] {
        guard let found = value("headers"), var object = reader.object(found, path: path(of: "headers")) else {
            return []
        }
        defer { object.finish() }
        var headers: [(name: String, value: SecretString)] = []
        for name in object.keys {
            let isToken =
                !name.isEmpty
                && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !"()<>@,;:\\\"/[]?={}".utf8.contains($0) }
            guard isToken, !reserved.contains(name.lowercased()) else {
                object.report(isToken ? "\"\(name)\" cannot be set here" : "invalid header name \"\(name)\"", key: name)
                _ = object.value(name)
                continue
            }
            if let value = object.optionalSecret(name) { headers.append((name, value)) }
        }
        return headers
    }

    /// `"auth": {"bearer": …}` or `{"username": …, "password": …}`.
    public mutating func httpAuthentication() -> HTTPEndpoint.Authentication? {
        guard let found = value("auth"), var auth = reader.object(found, path: path(of: "auth")) else { return nil }
        defer { auth.finish() }
        if auth.keys.contains("bearer") {
            return auth.optionalSecret("bearer").map { .bearer($0) }
        }
        if auth.keys.contains("username") || auth.keys.contains("password") {
            guard let username = auth.optionalSecret("username"), let password = auth.optionalSecret("password") else {
                auth.report("basic auth needs both \"username\" and \"password\"")
                return nil
            }
            return .basic(username: username, password: password)
        }
        auth.report("expected {\"bearer\": …} or {\"username\": …, \"password\": …}")
        return nil
    }

    /// A whole endpoint: the URL under `key` (with `allowHTTP`), `headers` and `auth` (unless
    /// the protocol brings its own credentials: `credentials` false), `tls`, `timeout` and
    /// `connectTimeout`. Returns nil when the URL is missing or invalid (the other problems
    /// are reported too).
    public mutating func httpEndpoint(
        _ key: String = "url", base: Bool = false, timeout: Duration, connectTimeout: Duration,
        reservedHeaders: Set<String> = [], credentials: Bool = true
    ) -> HTTPEndpoint? {
        let (url, allowHTTP) = endpointURL(key, base: base)
        let headers = credentials ? httpHeaders(reserved: reservedHeaders) : []
        let authentication = credentials ? httpAuthentication() : nil
        let (verify, caFile) = tlsSettings()
        let timeout = optionalDuration("timeout", in: Bounds.timeout) ?? timeout
        let connectTimeout = optionalDuration("connectTimeout", in: Bounds.timeout) ?? connectTimeout
        guard let url else { return nil }
        return HTTPEndpoint(
            url: url, allowHTTP: allowHTTP, headers: headers, authentication: authentication,
            tls: HTTPEndpoint.TLS(verify: verify, caFile: caFile), timeout: timeout, connectTimeout: connectTimeout)
    }
}
