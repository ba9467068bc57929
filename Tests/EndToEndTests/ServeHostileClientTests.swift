import Curl
import Foundation
import Testing
import VigilWebhook

#if canImport(Glibc)
    import Glibc
#endif

/// `vigil serve` against clients that lie about bodies, send slowly, hold connections idle or
/// push concurrently: it answers at once, times them out, keeps `/healthz` answering and
/// applies concurrent pushes as if they came one after another.
@Suite(.serialized) struct ServeHostileClientTests {
    /// A plain TCP connection to the server, for requests curl would not send.
    final class RawConnection {
        let descriptor: Int32

        init(port: Int) throws {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            try #require(result == 0, "connect failed: \(errno)")
            var timeout = timeval(tv_sec: 8, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(descriptor) }

        func send(_ text: String) {
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }

        /// What the server sent until it closed the connection (or the 8 s receive timeout).
        func readAll() -> (text: String, closed: Bool) {
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count == 0 { return (String(decoding: received, as: UTF8.self), true) }
                if count < 0 { return (String(decoding: received, as: UTF8.self), false) }
                received += buffer[0..<count]
            }
        }
    }

    struct Server {
        let vigil: VigilProcess
        let running: VigilProcess.Running
        let port: Int
        var base: String { "http://127.0.0.1:\(port)" }

        func stop() async throws -> VigilProcess.Result {
            kill(running.process.processIdentifier, SIGTERM)
            return try await running.finish()
        }
    }

    func startServer() async throws -> Server {
        let vigil = try VigilProcess()
        let port = ServeEndToEndTests().freePort()
        try vigil.write(
            "config.json",
            """
            {"serve": {"listen": "127.0.0.1:\(port)", "maxBodyBytes": 4096, "idleTimeout": "3s", "bodyTimeout": "1s",
                       "maxConnections": 64, "deliveryInterval": "1s"},
             "sources": [{"id": "field", "type": "push", "secret": "\(ServeEndToEndTests.secret)",
                          "records": "$.prisoners[*]", "key": "id", "name": "name", "status": "status"}],
             "outputs": [{"id": "console", "type": "stdout"}]}
            """)
        let running = try vigil.start(["serve", "--config", "config.json"])
        let server = Server(vigil: vigil, running: running, port: port)
        for _ in 0..<100 {
            if (try? await healthz(server))?.status == 200 { return server }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("vigil serve did not answer /healthz")
        return server
    }

    func healthz(_ server: Server) async throws -> CurlResponse {
        try await VigilProcess.curl.perform(
            CurlRequest(url: server.base + "/healthz", allowedProtocols: "http", totalTimeout: .seconds(3)))
    }

    @Test func lyingAndSlowBodiesAreRefusedAtOnceOrTimedOut() async throws {
        let server = try await startServer()
        let liar = try RawConnection(port: server.port)
        let started = ContinuousClock.now
        liar.send(
            "POST /hooks/field HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{}"
        )
        let refused = liar.readAll()
        #expect(refused.text.hasPrefix("HTTP/1.1 413"), "\(refused.text)")
        #expect(refused.closed, "the connection is closed after the refusal")
        #expect(ContinuousClock.now - started < .seconds(2))

        let slow = try RawConnection(port: server.port)
        slow.send(
            "POST /hooks/field HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\""
        )
        let timedOut = slow.readAll()
        #expect(timedOut.text.hasPrefix("HTTP/1.1 408"), "\(timedOut.text)")
        #expect(timedOut.closed)

        let slowHeaders = try RawConnection(port: server.port)
        slowHeaders.send("POST /hooks/field HTTP/1.1\r\nHost: x\r\n")
        #expect(slowHeaders.readAll().closed, "headers that never end are cut off by the idle timeout")
        _ = try await server.stop()
    }

    @Test func idleConnectionsCannotStarveHealthChecksOrPushes() async throws {
        let server = try await startServer()
        let idle = try (0..<200).map { _ in try RawConnection(port: server.port) }
        try await Task.sleep(for: .milliseconds(300))
        for _ in 0..<5 {
            let started = ContinuousClock.now
            #expect(try await healthz(server).status == 200)
            #expect(ContinuousClock.now - started < .seconds(1))
        }
        let push = try await ServeEndToEndTests().send(
            .init(body: #"{"prisoners": [{"id": 1, "name": "Ani", "status": "detained"}]}"#), to: server.base)
        #expect(push.status == 202, "\(push.body)")
        // The idle ones were closed: evicted to make room, or timed out after 3 s.
        try await Task.sleep(for: .seconds(4))
        #expect(idle.allSatisfy { $0.readAll().closed })
        _ = try await server.stop()
    }

    @Test func concurrentPushesYieldTheEventsSequentialPushesWould() async throws {
        let server = try await startServer()
        let helper = ServeEndToEndTests()
        let baseline = try await helper.send(
            .init(body: #"{"prisoners": [{"id": 1, "name": "Ani", "status": "detained"}]}"#), to: server.base)
        #expect(baseline.status == 202)
        let change = #"{"record": {"id": 1, "name": "Ani", "status": "released"}}"#
        let answers = try await withThrowingTaskGroup(of: (status: Int, body: String).self) { group in
            for _ in 0..<16 { group.addTask { try await helper.send(.init(body: change), to: server.base) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.allSatisfy { $0.status == 202 }, "\(answers)")
        #expect(answers.filter { $0.body == #"{"events":1,"notifications":1}"# }.count == 1, "\(answers)")
        let history = try await server.vigil.run(["history", "--config", "config.json", "--json"])
        let events = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        #expect(events.filter { $0["kind"] as? String == "changed" }.count == 1, "one transition, one event")
        try await Task.sleep(for: .milliseconds(1500))
        let result = try await server.stop()
        #expect(result.stdout.components(separatedBy: "status: detained → released").count - 1 == 1)
    }
}
