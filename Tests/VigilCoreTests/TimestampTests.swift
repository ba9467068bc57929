import Foundation
import Testing

@testable import VigilCEL
@testable import VigilCore

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2023-12-14T00:00:00Z", 1_702_512_000.0),
        ("2023-12-14t00:00:00z", 1_702_512_000.0),
        ("2023-12-14T02:30:00+02:30", 1_702_512_000.0),
        ("2023-12-13T19:00:00-05:00", 1_702_512_000.0),
        ("2023-12-14T00:00:00.25Z", 1_702_512_000.25),
        ("1970-01-01T00:00:00Z", 0.0),
        ("1969-12-31T23:59:59Z", -1.0),
        ("2024-02-29T12:00:00Z", 1_709_208_000.0),
        ("2000-03-01T00:00:00Z", 951_868_800.0),
    ])
    func parsesRFC3339(_ text: String, _ seconds: Double) {
        #expect(Timestamp.parseRFC3339(text)?.timeIntervalSince1970 == seconds, "\(text)")
    }

    @Test(arguments: [
        "2023-12-14", "2023-12-14T00:00:00", "2023-02-29T00:00:00Z", "2023-13-01T00:00:00Z", "2023-12-14T24:00:00Z",
        "2023-12-14T00:00:00.Z", "2023-12-14T00:00:00+0200", "2023-12-14T00:00:00Z ", "٢٠٢٣-12-14T00:00:00Z", "",
    ])
    func refusesWhatIsNotRFC3339(_ text: String) {
        #expect(Timestamp.parseRFC3339(text) == nil, "\(text)")
    }

    @Test func agreesWithTheFormatterItReplaces() {
        let formatter = ISO8601DateFormatter()
        for step in stride(from: -2_000_000_000.0, through: 4_000_000_000.0, by: 86_399 * 97) {
            let date = Date(timeIntervalSince1970: step)
            let text = formatter.string(from: date)
            #expect(Timestamp.parseRFC3339(text) == formatter.date(from: text), "\(text)")
        }
    }
}
