import Curl
import Foundation
import Testing
import VigilCore

@testable import VigilMatrix

@Suite struct MatrixDeliveryTests {
    let curl = CurlEngine()

    @Test func aNoticeArrivesOnceWithBodyAndFormattedBody() async throws {
        let server = try MatrixTestServer(curl: curl)
        let reader = try await server.token("reader")
        let room = try await server.createRoom(token: reader, invite: ["@bot:localhost"])
        let output = server.output()
        let state = try temporaryDirectory()
        let text = "[list] changed: Տիգրան <Vardoyantz> (key VG-017)\n  status: detained → released\n"
        let item = notice(to: room, text: text)
        #expect(await output.deliver([item], context: server.context(stateDirectory: state)) == [.delivered])
        // A retry of the same notification (same txnId) posts nothing new.
        #expect(await output.deliver([item], context: server.context(stateDirectory: state)) == [.delivered])

        let messages = try await server.messages(in: room, token: reader)
        #expect(messages.count == 1)
        let content = try #require(messages.first?["content"])
        #expect(content["msgtype"]?.scalarText == "m.notice")
        #expect(content["body"]?.scalarText == text)
        #expect(content["format"]?.scalarText == "org.matrix.custom.html")
        #expect(
            content["formatted_body"]?.scalarText
                == "[list] changed: Տիգրան &lt;Vardoyantz&gt; (key VG-017)<br>  status: detained → released")
        #expect(messages.first?["sender"]?.scalarText == "@bot:localhost")
        let session = try String(contentsOfFile: state + "/matrix-room.session.json", encoding: .utf8)
        #expect(session.contains("device_id"))
        let attributes = try FileManager.default.attributesOfItem(atPath: state + "/matrix-room.session.json")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func aliasesAreResolvedAndHTMLIsSanitised() async throws {
        let server = try MatrixTestServer(curl: curl)
        let reader = try await server.token("reader")
        let name = "vigil-\(UUID().uuidString.prefix(8).lowercased())"
        let room = try await server.createRoom(token: reader, alias: name, isPublic: true)
        let output = server.output()
        let html =
            "<p>Released: <b>Ani</b><script>alert(1)</script> <img src=x onerror=y> <a href=\"javascript:x\">x</a></p>"
        let outcomes = await output.deliver(
            [notice(to: "#\(name):localhost", text: "Released: Ani", html: html)],
            context: server.context(stateDirectory: try temporaryDirectory()))
        #expect(outcomes == [.delivered])
        let content = try #require(try await server.messages(in: room, token: reader).first?["content"])
        #expect(content["formatted_body"]?.scalarText == "<p>Released: <b>Ani</b>  <a>x</a></p>")
    }

    @Test func aDirectMessageRoomIsCreatedOnceAndReused() async throws {
        let server = try MatrixTestServer(curl: curl)
        let output = server.output()
        let state = try temporaryDirectory()
        let outsider = try await server.token("outsider")
        let before = try await server.invites(token: outsider)
        #expect(
            await output.deliver(
                [notice(to: "@outsider:localhost", text: "first")], context: server.context(stateDirectory: state)) == [
                    .delivered
                ])
        // A later run (a new output instance) finds the room in the session file.
        #expect(
            await server.output().deliver(
                [notice(to: "@outsider:localhost", text: "second")], context: server.context(stateDirectory: state))
                == [.delivered])
        let invites = try await server.invites(token: outsider).filter { !before.contains($0) }
        #expect(invites.count == 1)
        let room = try #require(invites.first)
        try await server.client.join(room, token: outsider)
        let bodies = try await server.messages(in: room, token: outsider).compactMap {
            $0["content"]?["body"]?.scalarText
        }
        #expect(bodies == ["first", "second"])
    }

    @Test func aLowRateLimitIsWaitedOutAndEverythingArrivesInOrder() async throws {
        let server = try MatrixTestServer(curl: curl)
        let reader = try await server.token("reader")
        let room = try await server.createRoom(token: reader, invite: ["@limited:localhost"])
        let output = server.output(user: "limited")
        let items = (1...8).map { notice(to: room, text: "message \($0)") }
        let started = ContinuousClock.now
        let outcomes = await output.deliver(items, context: server.context(stateDirectory: try temporaryDirectory()))
        #expect(outcomes == Array(repeating: .delivered, count: 8))
        #expect(ContinuousClock.now - started > .milliseconds(900), "the server's limit (2/s, burst 3) was waited out")
        let bodies = try await server.messages(in: room, token: reader).compactMap {
            $0["content"]?["body"]?.scalarText
        }
        #expect(bodies == (1...8).map { "message \($0)" })
    }

    @Test func aRejectedTokenFailsPermanentlyWithTheServersWords() async throws {
        let server = try MatrixTestServer(curl: curl)
        let reader = try await server.token("reader")
        let room = try await server.createRoom(token: reader, invite: ["@bot:localhost"])
        let outcomes = await server.output(token: "syt_not_a_token").deliver(
            [notice(to: room, text: "x")], context: server.context(stateDirectory: try temporaryDirectory()))
        guard case .failed(let reason) = outcomes.first else {
            Issue.record("expected a permanent failure, got \(outcomes)")
            return
        }
        #expect(reason.contains("401 M_UNKNOWN_TOKEN"))
    }

    @Test func aRoomTheBotMayNotJoinFailsCleanly() async throws {
        let server = try MatrixTestServer(curl: curl)
        let outsider = try await server.token("outsider")
        let room = try await server.createRoom(token: outsider)
        let outcomes = await server.output().deliver(
            [notice(to: room, text: "x")], context: server.context(stateDirectory: try temporaryDirectory()))
        guard case .failed(let reason) = outcomes.first else {
            Issue.record("expected a permanent failure, got \(outcomes)")
            return
        }
        #expect(reason.contains("cannot join or find \(room)"))
        #expect(reason.contains("403 M_FORBIDDEN"))
    }

    @Test func anExpiredLoginIsRenewed() async throws {
        let server = try MatrixTestServer(curl: curl)
        let reader = try await server.token("reader")
        let room = try await server.createRoom(token: reader, invite: ["@bot:localhost"])
        let state = try temporaryDirectory()
        // A stale token in the session file, as after the server logged the device out.
        try PrivateFile(directory: state, name: "matrix-room.session.json").write(["access_token": "syt_stale"])
        let outcomes = await server.output().deliver(
            [notice(to: room, text: "after re-login")], context: server.context(stateDirectory: state))
        #expect(outcomes == [.delivered])
        let session = PrivateFile(directory: state, name: "matrix-room.session.json").read()
        #expect(session["access_token"] != "syt_stale")
    }
}

@Suite struct MatrixConfigurationTests {
    func issues(_ output: String) -> [String] {
        let text =
            #"{"sources": [{"id": "s", "type": "json", "path": "s.json", "key": "id", "name": "n"}], "outputs": [\#(output)]}"#
        do {
            _ = try Configuration.parse(
                Array(text.utf8), file: "/tmp/c.json", outputs: OutputRegistry([MatrixOutputFactory()]))
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test func settingsAreValidated() {
        #expect(
            issues(
                ##"{"id": "r", "type": "matrix", "homeserver": "https://m.org", "accessToken": "${env:T}", "to": ["!a:m.org", "#b:m.org", "@c:m.org", "!v12RoomIdWithoutServer"]}"##
            ).isEmpty)
        #expect(
            issues(#"{"id": "r", "type": "matrix", "homeserver": "http://m.org", "accessToken": "t"}"#).contains {
                $0.contains("expected an https:// URL")
            })
        #expect(
            issues(#"{"id": "r", "type": "matrix", "homeserver": "https://m.org"}"#).contains {
                $0.contains("missing credentials")
            })
        #expect(
            issues(
                #"{"id": "r", "type": "matrix", "homeserver": "https://m.org", "accessToken": "t", "user": "u", "password": "p"}"#
            ).contains {
                $0.contains("not both")
            })
        #expect(
            issues(#"{"id": "r", "type": "matrix", "homeserver": "https://m.org", "accessToken": "t", "to": ["room"]}"#)
                .contains {
                    $0.contains("$.outputs[0].to[0]")
                })
        #expect(
            issues(
                #"{"id": "r", "type": "matrix", "homeserver": "https://m.org", "accessToken": "t", "msgtype": "m.image"}"#
            ).contains {
                $0.contains("msgtype")
            })
    }

    @Test func htmlKeepsOnlyAllowedTags() {
        #expect(
            MatrixHTML.sanitize(
                "<h1 class=x>T</h1><iframe src=y></iframe><style>p{}</style><a href=\"https://e.org\">l</a>")
                == "<h1>T</h1><a href=\"https://e.org\">l</a>")
        #expect(MatrixHTML.fromText("a < b\nc\n") == "a &lt; b<br>c")
    }
}
