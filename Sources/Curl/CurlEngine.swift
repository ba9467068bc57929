import CCurl
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs curl transfers concurrently on one multi handle, driven by one dedicated thread.
///
/// Callers use the async ``perform(_:)``. Easy handles are created, driven and cleaned up on
/// the engine thread only, so no handle ever crosses threads while in use. Connections are
/// cached by the multi handle and reused across transfers (HTTP/1.1 keep-alive, HTTP/2
/// multiplexing, SMTP sessions).
public final class CurlEngine: Sendable {
    /// Limits of the multi handle.
    public struct Configuration: Sendable {
        /// Concurrent connections to one host (`CURLMOPT_MAX_HOST_CONNECTIONS`); 0 means no limit.
        public var maxConnectionsPerHost: Int
        /// Connections kept open for reuse (`CURLMOPT_MAXCONNECTS`).
        public var maxCachedConnections: Int

        public init(maxConnectionsPerHost: Int = 8, maxCachedConnections: Int = 64) {
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxCachedConnections = maxCachedConnections
        }
    }

    private struct Submission {
        let id: UInt64
        let request: CurlRequest
        let continuation: CheckedContinuation<Result<CurlResponse, CurlError>, Never>
    }

    private struct InboxState {
        var nextID: UInt64 = 0
        var submissions: [Submission] = []
        var cancellations: [UInt64] = []
        var stopped = false
    }

    /// Work handed from callers to the engine thread.
    private final class Inbox: Sendable {
        private let state = Mutex(InboxState())

        func withLock<T>(_ body: (inout InboxState) -> T) -> T {
            state.withLock { body(&$0) }
        }
    }

    private let inbox = Inbox()
    /// The multi handle; touched by the engine thread, except `curl_multi_wakeup`, which is thread-safe.
    private let multi: MultiHandle

    public init(configuration: Configuration = Configuration()) {
        CurlGlobal.ensureInitialized()
        multi = MultiHandle(configuration: configuration)
        let thread = EngineThread(
            multi: multi,
            inbox: { [inbox] in
                inbox.withLock { state in
                    let taken = (state.submissions, state.cancellations, state.stopped)
                    state.submissions.removeAll()
                    state.cancellations.removeAll()
                    return taken
                }
            })
        thread.start()
    }

    /// Performs one transfer. Throws ``CurlError`` when curl fails; any protocol status is a response.
    public func perform(_ request: CurlRequest) async throws(CurlError) -> CurlResponse {
        let id = inbox.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let accepted = inbox.withLock { state -> Bool in
                    guard !state.stopped else { return false }
                    state.submissions.append(Submission(id: id, request: request, continuation: continuation))
                    return true
                }
                if accepted {
                    multi.wakeup()
                } else {
                    continuation.resume(returning: .failure(.engineStopped))
                }
            }
        } onCancel: {
            inbox.withLock { $0.cancellations.append(id) }
            multi.wakeup()
        }
        return try result.get()
    }

    /// Runs `body` with a new engine that is shut down when `body` returns or throws: the
    /// engine's thread lives exactly as long as the scope.
    public static func withEngine<T>(_ body: (CurlEngine) async throws -> T) async rethrows -> T {
        let engine = CurlEngine()
        defer { engine.shutdown() }
        return try await body(engine)
    }

    /// Stops the engine: transfers still running fail with ``CurlError/engineStopped``.
    public func shutdown() {
        inbox.withLock { $0.stopped = true }
        multi.wakeup()
    }

    deinit {
        shutdown()
    }

    // MARK: - The engine thread

    private final class EngineThread: @unchecked Sendable {
        // Everything here is used by the engine thread only, after `start()`.
        let multi: MultiHandle
        let takeInbox: @Sendable () -> ([Submission], [UInt64], Bool)
        var running:
            [UInt64: (
                transfer: EasyTransfer, continuation: CheckedContinuation<Result<CurlResponse, CurlError>, Never>
            )] =
                [:]
        var idsByHandle: [UnsafeMutableRawPointer: UInt64] = [:]

        init(multi: MultiHandle, inbox: @escaping @Sendable () -> ([Submission], [UInt64], Bool)) {
            self.multi = multi
            self.takeInbox = inbox
        }

        func start() {
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            defer { pthread_attr_destroy(&attributes) }
            var thread = pthread_t()
            let context = Unmanaged.passRetained(self).toOpaque()
            let status = pthread_create(
                &thread, &attributes,
                { context in
                    guard let context else { return nil }
                    let engine = Unmanaged<EngineThread>.fromOpaque(context).takeRetainedValue()
                    engine.loop()
                    return nil
                }, context)
            if status == 0 {
                pthread_detach(thread)
            } else {
                Unmanaged<EngineThread>.fromOpaque(context).release()
            }
        }

        func loop() {
            while true {
                let (submissions, cancellations, stopped) = takeInbox()
                for submission in submissions { add(submission) }
                for id in cancellations { finish(id, with: .failure(.cancelled)) }
                if stopped {
                    for id in Array(running.keys) { finish(id, with: .failure(.engineStopped)) }
                    // Later submissions are refused by the inbox; drain what raced in.
                    for submission in takeInbox().0 {
                        submission.continuation.resume(returning: .failure(.engineStopped))
                    }
                    return
                }
                multi.perform()
                while let (handle, code) = multi.nextCompleted() {
                    guard let id = idsByHandle[handle], let entry = running[id] else { continue }
                    finish(id, with: Self.outcome(of: entry.transfer, code: code))
                }
                multi.poll(timeoutMilliseconds: running.isEmpty ? 5_000 : 250)
            }
        }

        private func add(_ submission: Submission) {
            do {
                let transfer = try EasyTransfer(request: submission.request)
                try multi.add(transfer.handle)
                running[submission.id] = (transfer, submission.continuation)
                idsByHandle[transfer.handle] = submission.id
            } catch {
                submission.continuation.resume(returning: .failure(error))
            }
        }

        private func finish(_ id: UInt64, with result: Result<CurlResponse, CurlError>) {
            guard let entry = running.removeValue(forKey: id) else { return }
            idsByHandle.removeValue(forKey: entry.transfer.handle)
            multi.remove(entry.transfer.handle)
            entry.continuation.resume(returning: result)
            // `entry.transfer` is released here, after its handle left the multi handle.
        }

        private static func outcome(of transfer: EasyTransfer, code: CURLcode) -> Result<CurlResponse, CurlError> {
            if transfer.exceededLimit {
                return .failure(CurlError.responseTooLarge(limit: transfer.maxResponseBytes))
            }
            guard code == CURLE_OK else {
                let responseCode = transfer.responseCode()
                if responseCode >= 400 {
                    let reply = transfer.replyLines.last { $0.hasPrefix("\(responseCode)") } ?? ""
                    return .failure(
                        CurlError.rejected(
                            code: Int(code.rawValue), message: transfer.errorText(code), responseCode: responseCode,
                            reply: reply))
                }
                return .failure(CurlError.transfer(code: Int(code.rawValue), message: transfer.errorText(code)))
            }
            var response = CurlResponse(
                status: transfer.responseCode(), headers: transfer.responseHeaders, body: transfer.body,
                effectiveURL: transfer.effectiveURL(), duration: transfer.totalTime())
            response.newConnections = transfer.newConnections()
            response.redirectURL = transfer.redirectURL()
            response.replyLines = transfer.replyLines
            return .success(response)
        }
    }
}

/// Owner of a curl multi handle.
private final class MultiHandle: @unchecked Sendable {
    // Only `wakeup()` is called from other threads; curl documents curl_multi_wakeup as thread-safe.
    let handle: UnsafeMutableRawPointer

    init(configuration: CurlEngine.Configuration) {
        guard let handle = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        self.handle = handle
        _ = vigil_multi_setopt_long(handle, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        _ = vigil_multi_setopt_long(handle, CURLMOPT_MAXCONNECTS, configuration.maxCachedConnections)
        _ = vigil_multi_setopt_long(handle, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
    }

    deinit {
        curl_multi_cleanup(handle)
    }

    func wakeup() {
        _ = curl_multi_wakeup(handle)
    }

    func add(_ easy: UnsafeMutableRawPointer) throws(CurlError) {
        let code = curl_multi_add_handle(handle, easy)
        guard code == CURLM_OK else { throw .invalidRequest(String(cString: curl_multi_strerror(code))) }
    }

    func remove(_ easy: UnsafeMutableRawPointer) {
        _ = curl_multi_remove_handle(handle, easy)
    }

    func perform() {
        var running: Int32 = 0
        _ = curl_multi_perform(handle, &running)
    }

    func nextCompleted() -> (UnsafeMutableRawPointer, CURLcode)? {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(handle, &remaining) {
            if message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle {
                return (easy, message.pointee.data.result)
            }
        }
        return nil
    }

    func poll(timeoutMilliseconds: Int32) {
        var descriptors: Int32 = 0
        _ = curl_multi_poll(handle, nil, 0, timeoutMilliseconds, &descriptors)
    }
}

/// `curl_global_init`, once per process.
enum CurlGlobal {
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

    static func ensureInitialized() {
        _ = initialized
    }
}
