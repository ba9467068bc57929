import Curl
import Foundation
import Logging
import Testing
import VigilCore

@testable import VigilMatrix

/// A homeserver that answers every request with 429 and an absurd or negative wait (served by
/// the loopback test HTTP server): delivery must end on time, never sleep as told.
@Suite struct MatrixHostileServerTests {
    let curl = CurlEngine()

    func hostileOutput(_ mode: String, maxRateLimitWait: Duration = .seconds(2)) throws -> MatrixOutput {
        let server = try #require(ProcessInfo.processInfo.environment["VIGIL_TEST_HTTP"], "run scripts/test.sh")
        return MatrixOutput(
            id: "room",
            settings: MatrixOutput.Settings(
                homeserver: "\(server)/hostile-matrix/\(mode)", accessToken: try SecretString("syt_token"),
                to: ["!room"], allowHTTP: true, timeout: .seconds(5), maxRateLimitWait: maxRateLimitWait))
    }

    func context(deadline: ContinuousClock.Instant? = nil) throws -> DeliveryContext {
        DeliveryContext(
            curl: curl, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), configDirectory: "/",
            stateDirectory: try temporaryDirectory(), deadline: deadline)
    }

    @Test(arguments: ["huge", "negative"])
    func aHostileRetryAfterNeverHoldsTheRun(mode: String) async throws {
        let output = try hostileOutput(mode)
        let started = ContinuousClock.now
        let outcomes = await output.deliver(
            (1...5).map { notice(to: "!room", text: "n\($0)", key: "k\($0)-\(UUID())") }, context: try context())
        let took = ContinuousClock.now - started
        // Before, the first 429 set the next send ~317 years away: the run hung for good.
        #expect(took < .seconds(30), "bounded by maxRateLimitWait, not by the server: \(took)")
        #expect(outcomes.count == 5)
        for outcome in outcomes {
            guard case .retry(let after, _) = outcome else {
                Issue.record("a rate-limited notification is retried later: \(outcome)")
                continue
            }
            if mode == "negative" { #expect(after == nil, "a negative wait means the default back-off") }
            if mode == "huge" { #expect(after == nil, "an absurd wait is ignored: \(String(describing: after))") }
        }
    }

    @Test func theDeliveryDeadlineStopsAnOutputEarly() async throws {
        // The output would wait up to two minutes for the rate limit; the pass ends in 300 ms.
        let output = try hostileOutput("negative", maxRateLimitWait: .seconds(120))
        let started = ContinuousClock.now
        let outcomes = await output.deliver(
            (1...3).map { notice(to: "!room", text: "n\($0)", key: "d\($0)-\(UUID())") },
            context: try context(deadline: .now + .milliseconds(300)))
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(outcomes.allSatisfy { if case .retry = $0 { true } else { false } })
    }
}
