import Foundation

/// Runs one of the reference scripts in `Tests/Servers/` (cel-python, RE2): JSON in on
/// standard input, JSON out on standard output. An independent implementation is the
/// oracle wherever one exists.
public enum PythonOracle {
    /// `interpreter`: `python3` from the path, or a full path (Debian's own Python has the
    /// packages Debian builds, such as PyICU).
    public static func run(_ name: String, input: String, interpreter: String = "python3", arguments: [String] = [])
        async throws -> String
    {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Tests/Servers/\(name)").standardizedFileURL.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [interpreter, script] + arguments
        let inputPipe = Pipe()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("oracle-\(UUID()).json")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.standardInput = inputPipe
        process.standardOutput = try FileHandle(forWritingTo: output)
        let exited = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in exited.continuation.finish() }
        try process.run()
        inputPipe.fileHandleForWriting.write(Data(input.utf8))
        try inputPipe.fileHandleForWriting.close()
        for await _ in exited.stream {}
        defer { try? FileManager.default.removeItem(at: output) }
        return try String(contentsOf: output, encoding: .utf8)
    }
}
