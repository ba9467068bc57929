import VigilCEL
import VigilCore

/// Builds ``MatrixOutput`` from an output object of `"type": "matrix"`.
///
/// ```json
/// {"id": "team-room", "type": "matrix", "homeserver": "https://matrix.example.org",
///  "accessToken": "${env:MATRIX_TOKEN}", "to": ["#vigil-team:example.org"]}
/// ```
/// or `"user": "@vigil:example.org", "password": "${env:MATRIX_PASSWORD}"` instead of a token.
public struct MatrixOutputFactory: OutputFactory {
    public let type = "matrix"

    public init() {}

    public func makeOutput(id: String, options: inout ObjectReader) -> (any Output)? {
        let errorsBefore = options.reader.issues.count
        // A top-level "caFile" (read before `tls` was) still works; `tls` is read below.
        let legacyCAFile = options.optionalString("caFile").map(options.reader.path)
        var endpoint = options.httpEndpoint(
            "homeserver", base: true, timeout: .seconds(30), connectTimeout: .seconds(10), credentials: false)
        let accessToken = options.optionalSecret("accessToken")
        let user = options.optionalString("user")
        let password = options.optionalSecret("password")
        switch (accessToken != nil, user != nil || password != nil) {
        case (true, true): options.report("give either \"accessToken\" or \"user\" and \"password\", not both")
        case (false, false): options.report("missing credentials: \"accessToken\", or \"user\" and \"password\"")
        case (false, true) where user == nil || password == nil:
            options.report("password login needs both \"user\" and \"password\"")
        default: break
        }
        var targets: [String] = []
        for (index, target) in (options.stringOrStrings("to", required: false) ?? []).enumerated() {
            if Self.isTarget(target) {
                targets.append(target)
            } else {
                options.reader.report(
                    "expected a room id (!room:server or !room), a room alias (#room:server) or a user id (@user:server), got \"\(target)\"",
                    path: options.path(of: "to") + "[\(index)]", offset: options.value.offset)
            }
        }
        let msgtype = options.choice("msgtype", ["m.notice", "m.text"], default: "m.notice") ?? "m.notice"
        let pace = options.optionalDuration("pace", in: .zero...(.seconds(60))) ?? .zero
        if let legacyCAFile {
            if endpoint?.tls.caFile != nil {
                options.report("give \"tls\": {\"caFile\": …} only", key: "caFile")
            }
            endpoint?.tls.caFile = legacyCAFile
        }
        guard options.reader.issues.count == errorsBefore, let endpoint else { return nil }
        return MatrixOutput(
            id: id,
            settings: MatrixOutput.Settings(
                endpoint: endpoint, accessToken: accessToken, user: user, password: password, to: targets,
                msgtype: msgtype, pace: pace))
    }

    /// A room id (`!opaque:server`, or `!opaque` as room version 12 makes them), an alias
    /// (`#room:server`) or a user id (`@user:server`).
    static func isTarget(_ text: String) -> Bool {
        guard let sigil = text.first, "!#@".contains(sigil), !text.contains(where: { $0.isWhitespace }) else {
            return false
        }
        if sigil == "!" { return text.count > 1 }
        guard let colon = text.firstIndex(of: ":") else { return false }
        return colon > text.index(after: text.startIndex) && text.index(after: colon) < text.endIndex
    }
}
