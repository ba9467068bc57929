import Foundation
import Testing

@testable import VigilCore

/// A 10 MB field made a 26 MB email (2 MB here, to spare the test machine): what is rendered is cut, and says so.
@Suite struct TruncationTests {
    let huge = String(repeating: "Ա", count: 2 << 20)

    func event() -> Event {
        Event(
            kind: .changed, sourceID: "list", at: Date(timeIntervalSince1970: 0),
            record: Record(key: "K", name: "Ani", status: .canonical(.released), fields: ["place": huge]),
            changes: [FieldChange(field: "place", from: "East", to: huge)])
    }

    @Test func renderedNotificationsCutLongValuesAndSaySo() {
        let library = TemplateLibrary()
        let rendered = library.render(
            event(), recipient: nil, ruleID: "r", kind: TemplateKind(name: "email", html: true))
        #expect(rendered.text.utf8.count < 40_000, "\(rendered.text.utf8.count) bytes")
        #expect(rendered.text.contains("[truncated: 2097152 characters in all]"))
        #expect((rendered.html ?? "").utf8.count < 60_000)
        let plain = Broadcast(outputs: [InMemoryOutput(id: "o")]).notifications(for: event())
        #expect(plain.allSatisfy { $0.text.utf8.count < 40_000 && $0.text.contains("truncated") })
        #expect(event().truncatingValues(to: 4000).record?.fields["place"]?.unicodeScalars.count ?? 0 < 4100)
        let small = Event(
            kind: .added, sourceID: "s", at: Date(), record: Record(key: "1", name: "A", status: .canonical(.detained)))
        #expect(!small.needsTruncation(100))
        #expect(small.truncatingValues(to: 100).record == small.record)
    }
}
