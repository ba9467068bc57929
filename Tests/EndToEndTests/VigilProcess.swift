import Curl
import Foundation
import Testing

/// Runs the built `vigil` binary in a scratch directory, against the loopback test server.
struct VigilProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let directory: String
    let server: String

    init() throws {
        server = try #require(
            ProcessInfo.processInfo.environment["VIGIL_TEST_HTTP"],
            "VIGIL_TEST_HTTP is not set: run the tests with scripts/test.sh, which starts the test servers")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-e2e-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    static var binary: String {
        get throws {
            try #require(
                ProcessInfo.processInfo.environment["VIGIL_BINARY"], "VIGIL_BINARY is not set: run scripts/test.sh")
        }
    }

    /// Starts `vigil` with `arguments`; call `finish` on the result to wait.
    func start(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let id = UUID().uuidString
        let out = directory + "/.out-\(id)"
        let err = directory + "/.err-\(id)"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        process.standardInput =
            try stdin.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) } ?? FileHandle.nullDevice
        let exited = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in
            exited.continuation.yield()
            exited.continuation.finish()
        }
        try process.run()
        return Running(process: process, exited: exited.stream, out: out, err: err)
    }

    func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) async throws -> Result {
        try await start(arguments, environment: environment, stdin: stdin).finish()
    }

    struct Running {
        let process: Process
        let exited: AsyncStream<Void>
        let out: String
        let err: String

        /// Waits for the process without blocking a thread of the shared pool.
        func finish() async throws -> Result {
            for await _ in exited {}
            process.waitUntilExit()
            return Result(
                status: process.terminationStatus,
                stdout: try String(contentsOfFile: out, encoding: .utf8),
                stderr: try String(contentsOfFile: err, encoding: .utf8))
        }
    }

    /// Waits up to 10 s for `vigil serve` at `base` to answer `/healthz`; false when it never does.
    static func waitForHealth(_ base: String) async throws -> Bool {
        for _ in 0..<100 {
            let status = try? await curl.perform(CurlRequest(url: base + "/healthz", allowedProtocols: "http")).status
            if status == 200 { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/" + name))
    }

    /// A config file with one JSON source at `url` (shaped like the example snapshots).
    func writeConfig(_ name: String = "config.json", sources: [(id: String, url: String)], extra: String = "") throws {
        let entries = sources.map { source in
            """
            {"id": "\(source.id)", "type": "json", "url": "\(source.url)", "records": "$.prisoners[*]",
             "key": "id", "name": "name", "status": "status", "timeout": "2s", "connectTimeout": "2s",
             "fields": {"sentence": "sentence", "place": "place"},
             "statusMap": {"détenu": "detained", "procès en cours": "on_trial", "condamné": "sentenced",
                           "libéré": "released", "transféré": "transferred"}\(extra)}
            """
        }
        try write(
            name,
            """
            {"state": "state", "sources": [\(entries.joined(separator: ",\n"))],
             "outputs": [{"id": "console", "type": "stdout"}]}
            """)
    }

    /// Stores `body` as feed `name` on the test server.
    func putFeed(_ name: String, _ body: Data, contentType: String = "application/json") async throws {
        let request = CurlRequest(
            url: "\(server)/feed/\(name)", method: .put, headers: [("Content-Type", contentType)], body: Array(body),
            allowedProtocols: "http")
        let response = try await Self.curl.perform(request)
        try #require(response.status == 204)
    }

    func snapshot(_ name: String) throws -> Data {
        try Data(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../examples/snapshots/\(name)"))
    }

    /// The statuses the test server answered for feed `name`, and the last request's headers.
    func requests(_ name: String) async throws -> (statuses: [Int], headers: [String: String]) {
        let response = try await Self.curl.perform(
            CurlRequest(url: "\(server)/requests/\(name)", allowedProtocols: "http"))
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return (object?["statuses"] as? [Int] ?? [], object?["headers"] as? [String: String] ?? [:])
    }

    /// The JSON info file a test server wrote, named by `variable` (`VIGIL_TEST_SMTP`,
    /// `VIGIL_TEST_WEBHOOK`), which scripts/test.sh sets.
    static func serverInfo(_ variable: String) throws -> [String: Any] {
        let path = try #require(
            ProcessInfo.processInfo.environment[variable], "\(variable) is not set: run scripts/test.sh")
        return try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    static let curl = CurlEngine()
}
