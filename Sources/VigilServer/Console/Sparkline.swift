import Foundation
import VigilCore

/// A source's record count over time as a small inline SVG line (no script, no external
/// image): only numbers the console computed go into it.
enum Sparkline {
    static let width = 120.0
    static let height = 28.0

    static func svg(_ samples: [RecordCountSample], from start: Date, to end: Date) -> String {
        guard samples.count >= 2, end > start else {
            return samples.first.map { "<span class=\"muted\">\($0.count)</span>" } ?? ""
        }
        let counts = samples.map { Double($0.count) }
        let low = counts.min() ?? 0
        let high = counts.max() ?? 0
        let span = max(high - low, 1)
        let duration = end.timeIntervalSince(start)
        let points = samples.map { sample -> String in
            let x = max(0, min(width, sample.at.timeIntervalSince(start) / duration * width))
            let y = height - 2 - (Double(sample.count) - low) / span * (height - 4)
            return String(format: "%.1f,%.1f", x, y)
        }
        return
            "<svg class=\"chart\" viewBox=\"0 0 120 28\" role=\"img\" aria-label=\"\(Int(low))–\(Int(high)) records\">"
            + "<polyline points=\"\(points.joined(separator: " "))\"/></svg>"
    }
}
