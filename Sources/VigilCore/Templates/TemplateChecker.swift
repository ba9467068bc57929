/// Reads a Mustache template's tags and checks every name against a ``TemplateSchema``,
/// following the context stack that sections open, as Mustache resolves names.
///
/// Vigil's templates use variables (`{{x}}`, `{{{x}}}`, `{{&x}}`), sections (`{{#x}}`,
/// `{{^x}}`), comments and the `CONTENT_TYPE` pragma; partials and delimiter changes are
/// refused so that every name can be checked.
public enum TemplateChecker {
    /// A problem at a line and column (1-based) of the template.
    public struct Problem: Error, Sendable, Equatable {
        public var line: Int
        public var column: Int
        public var message: String
    }

    /// Sections may nest this deep; deeper is a problem (rendering recurses per level).
    public static let maxSectionDepth = 32

    /// The problems of `template`; empty when every name resolves. `usesRecipient` tells
    /// whether the rendering depends on the recipient (then it cannot be shared between them).
    public static func check(_ template: String, schema: TemplateSchema) -> (problems: [Problem], usesRecipient: Bool) {
        let scalars = Array(template.unicodeScalars)
        var problems: [Problem] = []
        var usesRecipient = false
        var stack: [(name: String, scope: TemplateSchema)] = [("", schema)]
        var position = 0
        var line = 1
        var lineStart = 0

        func advance(to end: Int) {
            while position < end {
                if scalars[position] == "\n" {
                    line += 1
                    lineStart = position + 1
                }
                position += 1
            }
        }
        func starts(_ text: StaticString, at index: Int) -> Bool {
            let count = text.utf8CodeUnitCount
            guard index + count <= scalars.count else { return false }
            return text.withUTF8Buffer { pattern in
                (0..<count).allSatisfy { scalars[index + $0].value == UInt32(pattern[$0]) }
            }
        }

        while position < scalars.count {
            guard starts("{{", at: position) else {
                advance(to: position + 1)
                continue
            }
            let tagLine = line
            let tagColumn = position - lineStart + 1
            let triple = starts("{{{", at: position)
            let closing: StaticString = triple ? "}}}" : "}}"
            var end = position + (triple ? 3 : 2)
            while end < scalars.count, !starts(closing, at: end) { end += 1 }
            guard end < scalars.count else {
                problems.append(Problem(line: tagLine, column: tagColumn, message: "a tag opened here is never closed"))
                break
            }
            var body = String(String.UnicodeScalarView(scalars[(position + (triple ? 3 : 2))..<end]))
            advance(to: end + closing.utf8CodeUnitCount)
            func report(_ message: String) {
                problems.append(Problem(line: tagLine, column: tagColumn, message: message))
            }
            var sigil: Character = " "
            if !triple, let first = body.first, "#^/!&>=%<$".contains(first) {
                sigil = first
                body.removeFirst()
            }
            let name = Self.name(in: body.trimmingCharacters(in: .whitespaces))
            switch sigil {
            case "!", "%":
                continue
            case ">", "<", "$", "=":
                report("partials, blocks and delimiter changes are not supported in Vigil templates")
            case "/":
                guard let open = stack.last, stack.count > 1 else {
                    report("section \"\(name)\" is closed but was never opened")
                    continue
                }
                if open.name != name {
                    report("section \"\(open.name)\" is still open; \"\(name)\" cannot close here")
                }
                stack.removeLast()
            default:
                guard !name.isEmpty else {
                    report("empty tag")
                    continue
                }
                if name.hasPrefix("recipient") { usesRecipient = true }
                let resolved = resolve(name, in: stack.map(\.scope))
                if resolved == nil {
                    report("unknown variable \"\(name)\"\(suggestion(for: name, in: stack.map(\.scope)))")
                }
                if sigil == "#" || sigil == "^" {
                    guard stack.count <= maxSectionDepth else {
                        report("sections nested deeper than \(maxSectionDepth) levels")
                        return (problems, usesRecipient)
                    }
                    stack.append(
                        (name, sigil == "#" ? (resolved ?? .value).sectionScope : stack[stack.count - 1].scope))
                }
            }
        }
        if stack.count > 1, let open = stack.last {
            problems.append(
                Problem(
                    line: line, column: position - lineStart + 1, message: "section \"\(open.name)\" is never closed"))
        }
        return (problems, usesRecipient)
    }

    /// The name in a tag body, without a transform: `uppercased(record.name)` → `record.name`.
    private static func name(in body: String) -> String {
        if let open = body.lastIndex(of: "("), body.hasSuffix(")") {
            return String(body[body.index(after: open)..<body.index(before: body.endIndex)])
                .trimmingCharacters(in: .whitespaces)
        }
        return body
    }

    /// Resolves a dotted name as Mustache does: the first part on the nearest scope that has it.
    private static func resolve(_ name: String, in scopes: [TemplateSchema]) -> TemplateSchema? {
        if name == "." { return scopes.last }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, !first.isEmpty else { return nil }
        for scope in scopes.reversed() {
            guard var found = scope.member(first) else { continue }
            for part in parts.dropFirst() {
                guard let next = found.member(part) else { return nil }
                found = next
            }
            return found
        }
        return nil
    }

    private static func suggestion(for name: String, in scopes: [TemplateSchema]) -> String {
        var known: [String] = []
        for scope in scopes.reversed() {
            if case .object(let fields) = scope { known += fields.keys.sorted() }
        }
        let prefix = name.split(separator: ".").dropLast().joined(separator: ".")
        if !prefix.isEmpty, let parent = resolve(prefix, in: scopes), case .object(let fields) = parent.sectionScope {
            return "; \(prefix) has: \(fields.keys.sorted().joined(separator: ", "))"
        }
        return known.isEmpty ? "" : "; known here: \(known.joined(separator: ", "))"
    }
}
