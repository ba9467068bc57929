import Foundation
import Subprocess
import VigilCore

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Runs a program the way a `command` source needs: an argument array (no shell), a
/// minimal environment, the configuration's folder as working directory, no input, a
/// timeout and a cap on what it prints. Whatever goes wrong fails closed with the
/// program's last lines of standard error (secret values blanked out).
struct ProgramRunner: Sendable {
    var arguments: [String]
    var environment: [String: String]
    var directory: String
    var timeout: Duration
    var maxOutput: Int
    /// Resolved secret values that must not reach an alert through the program's stderr.
    var secrets: [String]

    /// The variables every program gets; the configuration adds its own.
    static let baseEnvironment = [
        "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
    ]

    func run() async throws(SourceFailure) -> [UInt8] {
        guard let program = arguments.first else { throw .fetch("the command is empty") }
        let executable: Executable =
            program.contains("/")
            ? .path(FilePath(program.hasPrefix("/") ? program : directory + "/" + program)) : .name(program)
        var variables: [Environment.Key: String] = [:]
        for (name, value) in Self.baseEnvironment.merging(
            environment, uniquingKeysWith: { _, configured in configured })
        {
            variables[Environment.Key(stringLiteral: name)] = value
        }
        let outcome: Outcome
        let (rest, directory, maxOutput, timeout) = (Array(arguments.dropFirst()), directory, maxOutput, timeout)
        let environment = Environment.custom(variables)
        do {
            outcome = try await withThrowingTaskGroup(of: Outcome.self) { group in
                group.addTask {
                    try await Self.collect(
                        executable, arguments: rest, environment: environment, directory: directory,
                        maxOutput: maxOutput)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return .timedOut
                }
                guard let first = try await group.next() else { return .timedOut }
                group.cancelAll()
                return first
            }
        } catch {
            throw .fetch("\(program) could not be run: \(error)")
        }
        switch outcome {
        case .timedOut:
            throw .fetch("\(program) did not finish within \(Self.describe(timeout)); it was stopped")
        case .finished(let status, let output, let errorTail, let overCap):
            if overCap {
                throw .fetch(
                    "\(program) printed more than \(maxOutput) bytes (maxBytes); it was stopped" + tail(errorTail))
            }
            switch status {
            case .exited(0):
                return output
            case .exited(let code):
                throw .fetch("\(program) exited with status \(code)" + tail(errorTail))
            case .signaled(let signal):
                throw .fetch("\(program) was killed by signal \(signal)" + tail(errorTail))
            }
        }
    }

    enum Outcome: Sendable {
        case finished(TerminationStatus, output: [UInt8], errorTail: [UInt8], overCap: Bool)
        case timedOut
    }

    private static func collect(
        _ executable: Executable, arguments: [String], environment: Environment, directory: String, maxOutput: Int
    ) async throws -> Outcome {
        // Cancelled (the timeout): SIGTERM, then SIGKILL two seconds later.
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(2))]
        let result = try await Subprocess.run(
            executable, arguments: Arguments(arguments), environment: environment,
            workingDirectory: FilePath(directory), platformOptions: options, input: .none, output: .sequence,
            error: .sequence
        ) { execution in
            async let errorTail: [UInt8] = {
                var tail: [UInt8] = []
                for try await buffer in execution.standardError {
                    buffer.withUnsafeBytes { tail.append(contentsOf: $0) }
                    if tail.count > 8192 { tail.removeFirst(tail.count - 4096) }
                }
                return tail
            }()
            var output: [UInt8] = []
            var overCap = false
            for try await buffer in execution.standardOutput {
                buffer.withUnsafeBytes { output.append(contentsOf: $0) }
                if output.count > maxOutput {
                    overCap = true
                    await execution.teardown(using: [.gracefulShutDown(allowedDurationToNextStep: .seconds(1))])
                    break
                }
            }
            return (output, (try? await errorTail) ?? [], overCap)
        }
        let (output, errorTail, overCap) = result.closureResult
        return .finished(result.terminationStatus, output: output, errorTail: errorTail, overCap: overCap)
    }

    /// ": last lines of stderr", at most five lines and 600 characters, secrets blanked.
    func tail(_ bytes: [UInt8]) -> String {
        var text = String(decoding: bytes, as: UTF8.self)
        for secret in secrets where secret.count >= 4 { text = text.replacingOccurrences(of: secret, with: "[secret]") }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.suffix(5)
        guard !lines.isEmpty else { return "" }
        var joined = lines.joined(separator: " | ")
        if joined.count > 600 { joined = "…" + joined.suffix(600) }
        return "; stderr: " + joined
    }

    static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds != 0 || seconds == 0 { return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms" }
        return seconds >= 60 && seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds)s"
    }
}
