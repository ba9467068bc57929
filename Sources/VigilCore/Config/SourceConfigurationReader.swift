import VigilCEL

/// Reads one element of `sources` into a ``SourceConfiguration``, reporting every problem.
enum SourceConfigurationReader {
    static func read(
        _ value: JSONValue, path: String, reader: ConfigReader, directory: String, registry: SourceRegistry
    ) -> SourceConfiguration? {
        guard var object = reader.object(value, path: path) else { return nil }
        defer { object.finish() }
        let issuesBefore = reader.issues.count

        let id = object.string("id")
        if let id, !Configuration.isValidID(id) {
            object.report("an id uses letters, digits, '-' and '_' only, got \"\(id)\"", key: "id")
        }
        let type = object.choice("type", registry.types)
        let factory = type.flatMap(registry.factory(for:))
        let pushed = factory?.isPushed ?? false
        let location: SourceConfiguration.Location?
        if pushed {
            location = readPushSecrets(&object)
        } else if factory?.producesDocuments == true {
            location = .produced
            for key in ["url", "path"] where object.keys.contains(key) {
                object.report("a \(type ?? "") source has no \"\(key)\": its reader makes the document", key: key)
                _ = object.value(key)
            }
        } else {
            location = readLocation(&object, directory: directory)
        }
        let sourceReader = factory?.makeReader(options: &object)

        let defaults = factory?.defaultMapping
        let key = object.stringOrStrings("key", required: defaults == nil) ?? defaults?.key
        let name = object.stringOrStrings("name", required: defaults == nil) ?? defaults?.name
        let status = object.optionalString("status")
        let fields = readFields(&object)
        let statusMap = readStatusMap(&object)

        let headers = object.httpHeaders()
        let authentication = object.httpAuthentication()
        let timeout = object.optionalDuration("timeout", in: Bounds.timeout) ?? .seconds(30)
        let connectTimeout = object.optionalDuration("connectTimeout", in: Bounds.timeout) ?? .seconds(10)
        let every = object.optionalDuration("every") ?? .seconds(900)
        if every < .seconds(1) { object.report("expected at least \"1s\"", key: "every") }
        let maxDrop = object.optionalNumber("maxDrop") ?? 0.2
        if !(0...1).contains(maxDrop) { object.report("expected a share from 0 to 1, such as 0.2", key: "maxDrop") }
        let maxBytes = object.optionalInteger("maxBytes", in: 1...(1 << 34)) ?? (64 << 20)
        let (verifyTLS, caFile) = object.tlsSettings()
        switch location {
        case .file?, .push?, .produced?:
            if !headers.isEmpty || authentication != nil { object.report("headers and auth apply to url sources only") }
        default:
            break
        }

        if let sourceReader {
            for (member, references) in [
                ("key", key ?? []), ("name", name ?? []), ("status", [status].compactMap { $0 }),
            ] {
                for reference in references {
                    if let problem = sourceReader.problem(withReference: reference) {
                        object.report(problem, key: member)
                    }
                }
            }
            for (field, spec) in fields {
                if let problem = sourceReader.problem(withReference: spec.from) {
                    reader.report(
                        problem, path: object.path(of: "fields") + ObjectReader.pathComponent(field), offset: nil)
                }
            }
        }
        guard reader.issues.count == issuesBefore, let id, let location, let type, let sourceReader, let key, let name
        else {
            return nil
        }
        var endpoint: HTTPEndpoint?
        if case .url(let url) = location {
            // Public lists are read over http:// too; a redirect from https:// may not downgrade.
            endpoint = HTTPEndpoint(
                url: url, allowHTTP: url.lowercased().hasPrefix("http://"), headers: headers,
                authentication: authentication, tls: HTTPEndpoint.TLS(verify: verifyTLS, caFile: caFile),
                timeout: timeout, connectTimeout: connectTimeout)
        }
        var source = SourceConfiguration(
            id: id, location: location, type: type, reader: sourceReader,
            mapping: FieldMapping(key: key, name: name, status: status, fields: fields, statusMap: statusMap),
            endpoint: endpoint, maxDrop: maxDrop, maxBytes: maxBytes)
        source.every = every
        return source
    }

    /// A push source: `"secret": "${env:…}"` or `"secrets": […]` (rotation), no URL or path.
    private static func readPushSecrets(_ object: inout ObjectReader) -> SourceConfiguration.Location? {
        if object.keys.contains("url") || object.keys.contains("path") {
            object.report("a push source has no \"url\" or \"path\": it is pushed to POST /hooks/{id}")
            _ = object.value("url")
            _ = object.value("path")
        }
        var secrets: [SecretString] = []
        if let secret = object.optionalSecret("secret") { secrets.append(secret) }
        for text in object.stringOrStrings("secrets", required: false) ?? [] {
            do {
                secrets.append(try SecretString(text))
            } catch {
                object.report(error.description, key: "secrets")
            }
        }
        guard !secrets.isEmpty else {
            object.report("a push source needs \"secret\" (whsec_…): pushes are verified with it")
            return nil
        }
        return .push(secrets: secrets)
    }

    private static func readLocation(_ object: inout ObjectReader, directory: String) -> SourceConfiguration.Location? {
        let url = object.optionalString("url")
        let path = object.optionalString("path")
        switch (url, path) {
        case (let url?, nil):
            let lower = url.lowercased()
            guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else {
                object.report("expected an http:// or https:// URL (use \"path\" for a local file)", key: "url")
                return nil
            }
            return .url(url)
        case (nil, let path?):
            guard !path.isEmpty else {
                object.report("expected a file path", key: "path")
                return nil
            }
            return .file(path.hasPrefix("/") ? path : directory + "/" + path)
        case (.some, .some):
            object.report("give either \"url\" or \"path\", not both")
            return nil
        case (nil, nil):
            object.report("missing \"url\" (http:// or https://) or \"path\" (a local file)")
            return nil
        }
    }

    private static func readFields(_ object: inout ObjectReader) -> [(name: String, field: FieldMapping.Field)] {
        guard let found = object.value("fields"),
            var fieldsObject = object.reader.object(found, path: object.path(of: "fields"))
        else { return [] }
        var fields: [(name: String, field: FieldMapping.Field)] = []
        for name in fieldsObject.keys {
            if ["name", "status"].contains(name) {
                fieldsObject.report("\"\(name)\" is mapped by the source's own \"\(name)\" key", key: name)
                _ = fieldsObject.value(name)
                continue
            }
            guard let value = fieldsObject.value(name) else { continue }
            let fieldPath = fieldsObject.path(of: name)
            switch value.kind {
            case .string(let from):
                fields.append((name, FieldMapping.Field(from: from)))
            case .object:
                guard var spec = object.reader.object(value, path: fieldPath) else { continue }
                let from = spec.string("from")
                let type = spec.choice("type", ["text", "date"], default: "text")
                var kind = FieldMapping.Field.Kind.text
                if type == "date" {
                    var patterns: [DatePattern] = []
                    for text in spec.stringOrStrings("format", required: false) ?? [] {
                        do {
                            patterns.append(try DatePattern(text))
                        } catch {
                            spec.report(error.description, key: "format")
                        }
                    }
                    kind = .date(formats: patterns)
                } else if spec.keys.contains("format") {
                    spec.report("\"format\" applies to \"type\": \"date\" only", key: "format")
                }
                spec.finish()
                if let from { fields.append((name, FieldMapping.Field(from: from, kind: kind))) }
            default:
                object.reader.report(
                    "expected a field reference (a string) or {\"from\": …, \"type\": \"date\", \"format\": …}, got \(value.typeDescription)",
                    path: fieldPath, offset: value.offset)
            }
        }
        return fields
    }

    private static func readStatusMap(_ object: inout ObjectReader) -> [String: DetaineeStatus.Canonical] {
        guard let found = object.value("statusMap"),
            var words = object.reader.object(found, path: object.path(of: "statusMap"))
        else { return [:] }
        defer { words.finish() }
        var map: [String: DetaineeStatus.Canonical] = [:]
        let vocabulary = DetaineeStatus.Canonical.allCases.map(\.rawValue).joined(separator: ", ")
        for word in words.keys {
            guard let canonical = words.string(word) else { continue }
            guard let status = DetaineeStatus.Canonical(rawValue: canonical) else {
                words.report("\"\(canonical)\" is not a canonical status; expected one of: \(vocabulary)", key: word)
                continue
            }
            map[TextNormalizer.statusKey(word)] = status
        }
        return map
    }
}
