import Curl
import Foundation
import Testing
import VigilCore
import VigilTesting

@testable import VigilMatrix

/// The checks every output runs (``OutputConformance``), against the loopback Synapse.
@Suite struct MatrixConformanceTests {
    let curl = CurlEngine()

    @Test func theMatrixOutputConforms() async throws {
        let server = try MatrixTestServer(curl: curl)
        let reader = try await server.token("reader")
        let room = try await server.createRoom(token: reader, invite: ["@bot:localhost"])
        let outsider = try await server.token("outsider")
        let closed = try await server.createRoom(token: outsider)
        let state = try TemporaryDirectory("matrix")
        // By position: delivered, a room the bot may not join, delivered. Each text is its
        // key, so the room shows which keys arrived and how often.
        let notifications = [room, closed, room].map { target in
            let key = "evt-\(UUID().uuidString.lowercased()).room"
            return notice(to: target, text: key, key: key)
        }
        let problems = await OutputConformance.check(
            server.output(), notifications: notifications, expected: [.delivered, .failed, .delivered],
            context: server.context(stateDirectory: state.path), secrets: [server.password],
            observedKeys: {
                try await server.messages(in: room, token: reader).compactMap { $0["content"]?["body"]?.scalarText }
            }, destinationDeduplicates: true)
        #expect(problems.isEmpty, "\(problems)")
    }
}
