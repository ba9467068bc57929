import Prometheus
import VigilCore

/// What `GET /metrics` reports, in Prometheus text format.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let runs: Counter
    private let outboxDepth: Gauge
    private let latency: DurationHistogram

    init() {
        runs = registry.makeCounter(descriptor: Self.name("runs", "total", "Watch cycles and pushes applied."))
        outboxDepth = registry.makeGauge(
            descriptor: Self.name("outbox", "depth", "Notifications pending or failed in the outbox."))
        latency = registry.makeDurationHistogram(
            descriptor: Self.name("delivery", "seconds", "Time an output took per notification."),
            buckets: [
                .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2), .seconds(10),
            ])
    }

    /// Records a cycle or a push.
    func record(_ report: RunReport) {
        runs.increment()
        record(events: report.eventsByKind)
        for source in report.sources where source.isFailure {
            registry.makeCounter(
                descriptor: Self.name("source_failures", "total", "Fetches that failed closed."),
                labels: [("source", source.id)]
            ).increment()
        }
    }

    func record(events: [Event.Kind: Int]) {
        for (kind, count) in events where count > 0 {
            registry.makeCounter(
                descriptor: Self.name("events", "total", "Events detected."), labels: [("kind", kind.rawValue)]
            )
            .increment(by: Int64(count))
        }
    }

    /// Records a delivery pass.
    func record(_ summary: OutcomeSummary) {
        for (output, tally) in summary.byOutput {
            for (outcome, count) in [
                ("delivered", tally.delivered), ("retry", tally.retried), ("failed", tally.failed),
            ]
            where count > 0 {
                registry.makeCounter(
                    descriptor: Self.name("notifications", "total", "Delivery attempts by output and outcome."),
                    labels: [("output", output), ("outcome", outcome)]
                ).increment(by: Int64(count))
            }
            for (duration, count) in tally.batches where count > 0 {
                let each = duration / count
                for _ in 0..<count { latency.record(each) }
            }
        }
    }

    func setOutboxDepth(_ depth: Int) {
        outboxDepth.set(Double(depth))
    }

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "vigil", metricName: metric, unitName: unit, helpText: help)
    }

    func render() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
