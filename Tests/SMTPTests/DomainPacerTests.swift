import Testing

@testable import VigilSMTP

/// Per-domain pacing as pure logic, on a clock the test moves.
@Suite struct DomainPacerTests {
    let start = ContinuousClock.now

    @Test func messagesToADomainAreSpacedAtItsRate() {
        let pacer = DomainPacer()
        let limits = DomainPacer.Limits(concurrency: 2, rate: 10)
        let waits = (0..<4).map { _ in pacer.admit("gmail.com", limits: limits, now: start) }
        #expect(waits == [0, 100, 200, 300].map { .send(after: .milliseconds($0)) })
        // Another domain has its own slots; no rate means no wait.
        #expect(pacer.admit("outlook.com", limits: limits, now: start) == .send(after: .zero))
        let open = DomainPacer.Limits(concurrency: 2, rate: 0)
        #expect(
            (0..<3).map { _ in pacer.admit("x.example", limits: open, now: start) }
                == Array(repeating: .send(after: .zero), count: 3))
        // Time passing frees slots.
        #expect(pacer.admit("gmail.com", limits: limits, now: start + .seconds(1)) == .send(after: .zero))
    }

    @Test func aDeferralPausesTheDomainDoublesTheNextPauseAndHalvesItsRate() {
        let pacer = DomainPacer()
        let limits = DomainPacer.Limits(concurrency: 2, rate: 10)
        #expect(pacer.deferred("gmail.com", limits: limits, now: start) == .seconds(30))
        #expect(pacer.admit("gmail.com", limits: limits, now: start + .seconds(10)) == .paused(remaining: .seconds(20)))
        let later = start + .seconds(30)
        #expect(pacer.admit("gmail.com", limits: limits, now: later) == .send(after: .zero))
        #expect(
            pacer.admit("gmail.com", limits: limits, now: later) == .send(after: .milliseconds(200)), "5 a second now")
        #expect(pacer.deferred("gmail.com", limits: limits, now: later) == .seconds(60))
        var pause: Duration = .zero
        for _ in 0..<10 { pause = pacer.deferred("gmail.com", limits: limits, now: later + .seconds(3600)) }
        #expect(pause == DomainPacer.maxPause)
    }

    @Test func deferralsAre421sAnd47xStatuses() {
        #expect(DomainPacer.isDeferral(responseCode: 421, reply: "421 4.3.2 Service busy"))
        #expect(DomainPacer.isDeferral(responseCode: 451, reply: "451 4.7.1 Please try again later"))
        #expect(DomainPacer.isDeferral(responseCode: 450, reply: "450 4.7.0 rate limited"))
        #expect(!DomainPacer.isDeferral(responseCode: 451, reply: "451 4.3.0 Temporary local problem"))
        #expect(!DomainPacer.isDeferral(responseCode: 550, reply: "550 5.7.26 DMARC"))
    }

    @Test func pacingIsConfiguredPerOutputAndPerDomain() {
        #expect(SMTPOutputFactory.parseRate("30/s") == 30)
        #expect(SMTPOutputFactory.parseRate("600/min") == 10)
        #expect(SMTPOutputFactory.parseRate("none") == 0)
        for bad in ["fast", "0/s", "10/day", "-1/s"] { #expect(SMTPOutputFactory.parseRate(bad) == nil, "\(bad)") }
    }
}
