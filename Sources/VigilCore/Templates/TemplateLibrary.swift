import Foundation
import Mustache

/// The Mustache templates notifications are rendered with: Vigil's own (English and French)
/// and those of a template directory, found by set, language, event kind and output kind.
///
/// A directory holds `SET/LANGUAGE/NAME.PART.mustache` or `SET/LANGUAGE/NAME.KIND.PART.mustache`:
/// `NAME` an event kind (`changed`), `event` for any kind, or `digest`; `PART` one of `subject`,
/// `text`, `html`; `KIND` an output kind (`email`, `matrix`, `webhook`, `text`) to override a part
/// for it. Lookup tries the set in the recipient's language, then in the default language, then
/// the `default` set likewise. Values are HTML-escaped in `html` parts and left as they are in
/// `subject` and `text` parts.
public struct TemplateLibrary: Sendable {
    /// What a notification's rendering holds.
    public struct Rendered: Sendable, Equatable {
        public var subject: String
        public var text: String
        public var html: String?
    }

    public static let defaultSet = "default"
    /// The parts a template file may define.
    public static let parts = ["subject", "text", "html"]

    private var entries: [String: TemplateEntry] = [:]
    /// Language used when a recipient's own has no template.
    public var defaultLanguage: String
    /// Values longer than this many characters are cut in what is rendered (and marked so);
    /// see ``Event/truncatingValues(to:)``. `templates.maxFieldLength` in the configuration.
    public var maxFieldLength = TemplateLibrary.defaultMaxFieldLength
    public static let defaultMaxFieldLength = 4000
    /// Template sets (`default` and each directory of the template folder).
    public private(set) var sets: Set<String> = [defaultSet]
    /// Languages that have at least one template, per set.
    public private(set) var languages: [String: Set<String>] = [:]

    /// Vigil's own templates as the files of a template directory would hold them:
    /// `default/LANGUAGE/NAME.PART.mustache` → text (what `vigil init` writes).
    public static var shippedFiles: [String: String] {
        Dictionary(uniqueKeysWithValues: DefaultTemplates.all.map { ("\(defaultSet)/\($0.key).mustache", $0.value) })
    }

    /// Vigil's own templates only.
    public init(defaultLanguage: String = "en") {
        self = Self.shipped
        self.defaultLanguage = defaultLanguage
    }

    /// The shipped templates, each compiled and checked on first use (every configuration
    /// and router starts from them).
    private static let shipped = TemplateLibrary(deferringShipped: ())

    private init(deferringShipped: Void) {
        defaultLanguage = "en"
        for (name, text) in DefaultTemplates.all {
            // Shipped templates are checked by the tests; one that fails is simply absent.
            let key = "\(Self.defaultSet)/\(name)"
            entries[key] = TemplateEntry(
                deferring: text, schema: Self.schema(of: name), isHTML: name.hasSuffix(".html"))
            noteLanguage(of: key)
        }
    }

    private static func schema(of name: String) -> TemplateSchema {
        let file = name.split(separator: "/").last.map(String.init) ?? name
        return file.hasPrefix("digest.") ? .digest : .notification
    }

    private mutating func noteLanguage(of key: String) {
        let pieces = key.split(separator: "/")
        if pieces.count >= 2 { languages[String(pieces[0]), default: []].insert(String(pieces[1])) }
    }

    /// Vigil's templates plus those under `directory`; every problem is reported, with its file,
    /// line and column.
    public init(directory: String?, defaultLanguage: String, report: (ConfigIssue) -> Void) {
        self.init(defaultLanguage: defaultLanguage)
        guard let directory else { return }
        let manager = FileManager.default
        guard let sets = try? manager.contentsOfDirectory(atPath: directory) else {
            report(
                ConfigIssue(
                    file: directory, path: "$.templates.directory", location: nil,
                    message: "cannot read the template directory"))
            return
        }
        for set in sets.sorted() where !set.hasPrefix(".") {
            guard let languages = try? manager.contentsOfDirectory(atPath: "\(directory)/\(set)") else { continue }
            self.sets.insert(set)
            for language in languages.sorted() where !language.hasPrefix(".") {
                let folder = "\(directory)/\(set)/\(language)"
                for file in ((try? manager.contentsOfDirectory(atPath: folder)) ?? []).sorted()
                where file.hasSuffix(".mustache") {
                    let path = "\(folder)/\(file)"
                    let name = String(file.dropLast(".mustache".count))
                    let pieces = name.split(separator: ".").map(String.init)
                    guard pieces.count == 2 || pieces.count == 3, let part = pieces.last, Self.parts.contains(part)
                    else {
                        report(
                            ConfigIssue(
                                file: path, path: "$.templates", location: nil,
                                message:
                                    "expected a name NAME.PART.mustache or NAME.KIND.PART.mustache with PART one of subject, text, html"
                            ))
                        continue
                    }
                    guard let data = manager.contents(atPath: path), let text = String(data: data, encoding: .utf8)
                    else {
                        report(
                            ConfigIssue(
                                file: path, path: "$.templates", location: nil, message: "cannot read the file as UTF-8"
                            ))
                        continue
                    }
                    for problem in add(text, key: "\(set)/\(language)/\(name)") {
                        report(
                            ConfigIssue(
                                file: path, path: "$.templates",
                                location: TextLocation(line: problem.line, column: problem.column),
                                message: problem.message))
                    }
                }
            }
        }
    }

    /// The largest template file accepted. The Mustache parser's cost grows with the square
    /// of a template's size (each tag it reads measures the rest of the text); at this size
    /// a template still compiles in milliseconds, and no notification needs more.
    public static let maxTemplateBytes = 32 << 10

    /// Compiles and checks one template; returns its problems (and keeps it only without any).
    private mutating func add(_ text: String, key: String) -> [TemplateChecker.Problem] {
        guard text.utf8.count <= Self.maxTemplateBytes else {
            return [
                TemplateChecker.Problem(
                    line: 1, column: 1,
                    message: "template larger than \(Self.maxTemplateBytes >> 10) KiB (\(text.utf8.count) bytes)")
            ]
        }
        let (compiled, problems) = TemplateEntry.compile(
            text, schema: Self.schema(of: key), isHTML: key.hasSuffix(".html"))
        guard let compiled else { return problems }
        entries[key] = TemplateEntry(compiled)
        noteLanguage(of: key)
        return []
    }

    /// How many templates are loaded (shipped ones included).
    var count: Int { entries.count }

    /// The template for a part, most specific first (see the type's documentation).
    func entry(set: String, language: String, name: String, kind: TemplateKind, part: String)
        -> TemplateEntry.Compiled?
    {
        for candidateSet in set == Self.defaultSet ? [set] : [set, Self.defaultSet] {
            for candidateLanguage in language == defaultLanguage ? [language] : [language, defaultLanguage] {
                let prefix = "\(candidateSet)/\(candidateLanguage)/"
                let names = name == "digest" ? ["digest"] : [name, "event"]
                for candidate in names {
                    if let found = entries[prefix + "\(candidate).\(kind.name).\(part)"]?.value { return found }
                    if let found = entries[prefix + "\(candidate).\(part)"]?.value { return found }
                }
            }
        }
        return nil
    }

    /// Whether any part of set `set` depends on the recipient (then renderings are not shared).
    func usesRecipient(set: String, language: String, name: String, kind: TemplateKind) -> Bool {
        kind.parts.contains {
            entry(set: set, language: language, name: name, kind: kind, part: $0)?.usesRecipient ?? false
        }
    }

    /// True when set `set` (or the default set) has templates in `language`.
    public func hasLanguage(_ language: String, set: String = defaultSet) -> Bool {
        languages[set]?.contains(language) ?? false || languages[Self.defaultSet]?.contains(language) ?? false
    }

    /// Renders `event` for `recipient` through an output of `kind`.
    public func render(
        _ event: Event, recipient: Recipient?, ruleID: String?, set: String = defaultSet, kind: TemplateKind
    ) -> Rendered {
        let event = event.truncatingValues(to: maxFieldLength)
        let language = recipient?.language ?? defaultLanguage
        let context = TemplateContext.notification(
            event: event, recipient: recipient, ruleID: ruleID, language: language)
        return render(context: context, name: event.kind.rawValue, set: set, language: language, kind: kind) {
            Rendered(
                subject: PlainTextRenderer.subject(for: event), text: PlainTextRenderer.text(for: event), html: nil)
        }
    }

    /// Renders a digest of already rendered notifications for `recipient`.
    public func renderDigest(
        _ items: [Rendered], recipient: Recipient?, set: String = defaultSet, kind: TemplateKind
    )
        -> Rendered
    {
        let language = recipient?.language ?? defaultLanguage
        var context: [String: Any] = [
            "count": items.count,
            "items": items.map {
                [
                    "subject": TemplateText($0.subject), "text": TemplateText($0.text),
                    "html": TemplateText($0.html ?? ""),
                ] as [String: Any]
            },
        ]
        if let recipient { context["recipient"] = TemplateContext.recipient(recipient) }
        return render(context: context, name: "digest", set: set, language: language, kind: kind) {
            Rendered(
                subject: "\(items.count) updates",
                text: items.map { $0.subject + "\n" + $0.text }.joined(separator: "\n"),
                html: nil)
        }
    }

    private func render(
        context: [String: Any], name: String, set: String, language: String, kind: TemplateKind,
        fallback: () -> Rendered
    ) -> Rendered {
        guard let subject = entry(set: set, language: language, name: name, kind: kind, part: "subject"),
            let text = entry(set: set, language: language, name: name, kind: kind, part: "text")
        else { return fallback() }
        var rendered = Rendered(
            subject: Self.oneLine(subject.template.render(context)),
            text: kind.parts.contains("text") ? Self.tidy(text.template.render(context)) : "", html: nil)
        if kind.parts.contains("html"),
            let html = entry(set: set, language: language, name: name, kind: kind, part: "html")
        {
            rendered.html = Self.tidy(html.template.render(context))
        }
        return rendered
    }

    /// A subject is one line: runs of whitespace become one space.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Trailing spaces dropped, no more than one blank line in a row, one final newline.
    static func tidy(_ text: String) -> String {
        var lines: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var trimmed = line
            while trimmed.last == " " || trimmed.last == "\t" || trimmed.last == "\r" { trimmed = trimmed.dropLast() }
            if trimmed.isEmpty, lines.last?.isEmpty ?? true { continue }
            lines.append(trimmed)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }
}
