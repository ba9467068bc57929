import Foundation
import VigilCore
import VigilHTML

extension VigilBench {
    /// `vigil-bench html FILE`: parses FILE (an HTML table of people) with libxml2 and maps
    /// every row to a record with XPath selectors (as `scripts/bench.py` has lxml do), once;
    /// prints one JSON line: seconds, records, peak resident memory of the whole process (KiB).
    static func html(file: String) async throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        let reader = HTMLSourceReader(layout: .rows(selector: "//table[@id='people']/tbody/tr"), syntax: .xpath)
        let mapping = FieldMapping(
            key: ["td[1]"], name: ["td[2]"], status: "td[3]",
            fields: [
                ("detained", .init(from: "td[4]", kind: .date(formats: [try DatePattern("dd.MM.yyyy")]))),
                ("place", .init(from: "td[5]")), ("profile", .init(from: "td[2]/a/@href")),
            ],
            statusMap: ["в заключении": .detained, "освобождён": .released, "осуждён": .sentenced])
        let clock = ContinuousClock()
        let started = clock.now
        let parsed = try await reader.read(bytes, mapping: mapping)
        let elapsed = clock.now - started
        // VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over exec, so a child of a
        // large Python process would report the parent's peak.
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let peak =
            status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .flatMap { Int($0.filter(\.isNumber)) } ?? -1
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "{\"seconds\": \(seconds), \"records\": \(parsed.records.count), \"maxRSSKiB\": \(peak), "
                + "\"unmapped\": \(parsed.unmappedStatuses.count)}")
    }
}
