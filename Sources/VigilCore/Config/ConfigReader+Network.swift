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
