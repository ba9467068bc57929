import Hummingbird
import NIOCore

/// Reads a request body with a size limit and a time limit, so a client that declares a
/// body and sends it slowly (or never) cannot hold a request open.
enum BodyReader {
    enum Result: Sendable {
        case body(ByteBuffer)
        case tooLarge
        case timedOut
    }

    static func collect(_ request: Request, upTo limit: Int, within timeout: Duration) async -> Result {
        await withTaskGroup(of: Result?.self) { group in
            group.addTask {
                var request = request
                do {
                    return .body(try await request.collectBody(upTo: limit))
                } catch {
                    return Task.isCancelled ? nil : .tooLarge
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                    return .timedOut
                } catch {
                    return nil
                }
            }
            defer { group.cancelAll() }
            while let next = await group.next() {
                if let result = next { return result }
            }
            return .timedOut
        }
    }
}
