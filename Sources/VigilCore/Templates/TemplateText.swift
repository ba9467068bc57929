import Mustache

/// A string value in a template context. Renders as itself (Mustache's default goes through
/// `String(describing:)` and several dynamic casts per value) and keeps Mustache's string
/// transforms (`{{lowercased(record.name)}}`).
struct TemplateText: MustacheCustomRenderable, MustacheTransformable, CustomStringConvertible {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    var renderText: String { text }
    var isNull: Bool { false }
    var description: String { text }

    func transform(_ name: String) -> Any? {
        text.transform(name)
    }
}
