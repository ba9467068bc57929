import Curl
import Foundation
import Testing

/// The loopback HTTP server that `scripts/test.sh` starts.
func testServer() throws -> String {
    try #require(
        ProcessInfo.processInfo.environment["VIGIL_TEST_HTTP"],
        "VIGIL_TEST_HTTP is not set: run the tests with scripts/test.sh, which starts the test servers")
}

@Suite struct CurlEngineTests {
    let engine = CurlEngine()

    func request(_ path: String, timeout: Duration = .seconds(10)) throws -> CurlRequest {
        CurlRequest(url: try testServer() + path, allowedProtocols: "http", totalTimeout: timeout)
    }

    @Test func fetchesABodyWithHeaders() async throws {
        let response = try await engine.perform(try request("/static/detainees-before.json"))
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        #expect(response.header("ETag")?.hasPrefix("\"") == true)
        let expected = try Data(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../examples/snapshots/detainees-before.json"))
        #expect(response.body == Array(expected))
    }

    @Test func conditionalRequestGets304() async throws {
        let first = try await engine.perform(try request("/static/detainees-after.csv"))
        var conditional = try request("/static/detainees-after.csv")
        conditional.headers.append(("If-None-Match", try #require(first.header("ETag"))))
        let second = try await engine.perform(conditional)
        #expect(second.status == 304)
        #expect(second.body.isEmpty)
    }

    @Test func manyConcurrentTransfersComplete() async throws {
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<40 {
                let path = index.isMultiple(of: 2) ? "/static/detainees-before.json" : "/status/\(500 + index % 4)"
                let request = try request(path)
                group.addTask { try await engine.perform(request).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 40)
        #expect(statuses.filter { $0 == 200 }.count == 20)
        #expect(statuses.filter { $0 >= 500 }.count == 20)
    }

    @Test func timeoutIsAnError() async throws {
        let started = ContinuousClock.now
        await #expect {
            _ = try await engine.perform(try request("/slow/30", timeout: .milliseconds(500)))
        } throws: { error in
            (error as? CurlError)?.isTimeout == true
        }
        // The server answers after 30 s; a loaded machine may be slow, but never that slow.
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    @Test func refusedConnectionNamesTheProblem() async throws {
        let request = CurlRequest(url: "http://127.0.0.1:9/", allowedProtocols: "http", connectTimeout: .seconds(2))
        await #expect {
            _ = try await engine.perform(request)
        } throws: { error in
            guard case .transfer(_, let message) = error as? CurlError else { return false }
            return message.lowercased().contains("connect")
        }
    }

    @Test func protocolsOutsideTheAllowListAreRefused() async throws {
        let request = CurlRequest(url: try testServer() + "/static/detainees-before.json", allowedProtocols: "https")
        await #expect(throws: CurlError.self) { _ = try await engine.perform(request) }
        let file = CurlRequest(url: "file:///etc/passwd", allowedProtocols: "http,https")
        await #expect(throws: CurlError.self) { _ = try await engine.perform(file) }
    }

    @Test func oversizedResponsesAreCutOff() async throws {
        var request = try request("/static/detainees-before.json")
        request.maxResponseBytes = 1000
        await #expect(throws: CurlError.self) { _ = try await engine.perform(request) }
    }

    @Test func uploadsABodyWithPUT() async throws {
        let feed = "curl-\(UUID().uuidString)"
        var put = try request("/feed/\(feed)")
        put.method = .put
        put.body = Array(#"{"prisoners": []}"#.utf8)
        put.headers = [("Content-Type", "application/json")]
        #expect(try await engine.perform(put).status == 204)
        let get = try await engine.perform(try request("/feed/\(feed)"))
        #expect(get.body == Array(#"{"prisoners": []}"#.utf8))
    }

    @Test func headersWithLineBreaksAreRejected() async throws {
        var request = try request("/static/detainees-before.json")
        request.headers = [("X-Test", "a\r\nInjected: yes")]
        await #expect(throws: CurlError.self) { _ = try await engine.perform(request) }
    }
}
