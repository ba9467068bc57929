import Mustache
import Synchronization

/// A template ready to render, and whether its output depends on the recipient.
///
/// Vigil's own templates are compiled and checked on first use, not when a configuration
/// loads: a cron run that renders nothing (most of them) pays nothing for the 78 it ships.
/// A template directory's files are compiled at once, so their problems are reported by
/// `vigil check` and at start-up.
final class TemplateEntry: Sendable {
    /// What rendering needs.
    struct Compiled: Sendable {
        var template: MustacheTemplate
        var usesRecipient: Bool
    }

    private enum Source: Sendable {
        case ready(Compiled)
        /// Text compiled on first use; nil after a failed compilation (the entry is then absent).
        case deferred(text: String, schema: TemplateSchema, isHTML: Bool)
    }

    private let source: Source
    private let compiled = Mutex<Compiled??>(nil)

    init(_ compiled: Compiled) {
        source = .ready(compiled)
    }

    init(deferring text: String, schema: TemplateSchema, isHTML: Bool) {
        source = .deferred(text: text, schema: schema, isHTML: isHTML)
    }

    /// The compiled template; nil when it cannot be compiled (a shipped template the tests
    /// would have caught — the plain renderer then stands in).
    var value: Compiled? {
        switch source {
        case .ready(let compiled):
            return compiled
        case .deferred(let text, let schema, let isHTML):
            return compiled.withLock { cached in
                if let cached { return cached }
                let made = Self.compile(text, schema: schema, isHTML: isHTML).compiled
                cached = .some(made)
                return made
            }
        }
    }

    /// Subjects and plain text are not HTML: their values are not escaped.
    private static let textPragma = "{{% CONTENT_TYPE: TEXT}}"

    /// Checks and compiles `text`: the template, or its problems with line and column.
    static func compile(_ text: String, schema: TemplateSchema, isHTML: Bool) -> (
        compiled: Compiled?, problems: [TemplateChecker.Problem]
    ) {
        let (problems, usesRecipient) = TemplateChecker.check(text, schema: schema)
        guard problems.isEmpty else { return (nil, problems) }
        do {
            let template = try MustacheTemplate(string: isHTML ? text : textPragma + text)
            return (Compiled(template: template, usesRecipient: usesRecipient), [])
        } catch let error as MustacheTemplate.ParserError {
            let line = error.context.lineNumber
            let column = error.context.columnNumber - (isHTML || line != 1 ? 0 : textPragma.count)
            return (nil, [TemplateChecker.Problem(line: line, column: max(1, column), message: "\(error.error)")])
        } catch {
            return (nil, [TemplateChecker.Problem(line: 1, column: 1, message: "\(error)")])
        }
    }
}
