import Foundation
import Testing

@testable import VigilCore

@Suite struct SourceFetcherTests {
    @Test func aLocalFileOverMaxBytesIsRefusedWithoutBeingRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-huge-\(UUID()).json").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: path) }
        // A sparse 2 GiB file: reading it whole would take seconds and 2 GiB of memory.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 2 << 30)
        try handle.close()
        let started = ContinuousClock.now
        #expect(throws: SourceFailure.fetch("file larger than 1024 bytes")) {
            try SourceFetcher.readFile(path, limit: 1024)
        }
        #expect(ContinuousClock.now - started < .milliseconds(100))

        try Data(#"[{"id": 1}]"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try SourceFetcher.readFile(path, limit: 11) == Array(#"[{"id": 1}]"#.utf8))
        #expect(throws: SourceFailure.fetch("file larger than 10 bytes")) {
            try SourceFetcher.readFile(path, limit: 10)
        }
        #expect(throws: SourceFailure.self) { try SourceFetcher.readFile(path + ".missing", limit: 10) }
    }
}
