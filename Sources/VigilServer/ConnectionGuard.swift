import Foundation
import NIOCore
import NIOHTTPTypes
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps `vigil serve` answering when clients hold connections open: at most ``limit``
/// connections at once, and when one more arrives the connection idle the longest (not in
/// the middle of a request) is closed to make room — so `/healthz` and real pushes get
/// through while idle or abandoned connections pile up. A connection is idle from the end
/// of its last response, or from its start.
final class ConnectionRegistry: Sendable {
    struct Entry {
        var channel: any Channel
        var idleSince: NIODeadline?
    }

    let limit: Int
    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// The default limit: 512, or half the process's file descriptors if that is lower
    /// (state, curl and the listener need the rest).
    static var defaultLimit: Int {
        var limits = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits) == 0 else { return 512 }
        return max(16, min(512, Int(clamping: limits.rlim_cur) / 2))
    }

    /// Registers a new connection; returns the one to close to make room (maybe the new one
    /// itself, when every other connection is busy with a request).
    func admit(_ channel: any Channel) -> (any Channel)? {
        entries.withLock { entries in
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, idleSince: .now())
            guard entries.count > limit else { return nil }
            var oldest: Entry?
            for (id, entry) in entries where id != ObjectIdentifier(channel) {
                guard let since = entry.idleSince else { continue }
                if let current = oldest?.idleSince, current <= since { continue }
                oldest = entry
            }
            let victim = oldest?.channel ?? channel
            entries[ObjectIdentifier(victim)] = nil
            return victim
        }
    }

    func setBusy(_ channel: any Channel, _ busy: Bool) {
        entries.withLock { $0[ObjectIdentifier(channel)]?.idleSince = busy ? nil : .now() }
    }

    func remove(_ channel: any Channel) {
        _ = entries.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}

/// The per-connection side of ``ConnectionRegistry``: registers the channel, marks it busy
/// from a request's head to its response's end, and closes the connection after a response
/// that says `Connection: close` (a refused body the client may still be sending).
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let registry: ConnectionRegistry
    private var registered = false
    private var closeAfterResponse = false

    init(registry: ConnectionRegistry) {
        self.registry = registry
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { register(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        register(context)
        context.fireChannelActive()
    }

    private func register(_ context: ChannelHandlerContext) {
        guard !registered else { return }
        registered = true
        if let victim = registry.admit(context.channel) { victim.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        registry.remove(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { registry.setBusy(context.channel, true) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response):
            if response.headerFields[.connection]?.lowercased() == "close" { closeAfterResponse = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            registry.setBusy(context.channel, false)
            if closeAfterResponse {
                context.writeAndFlush(data, promise: promise)
                context.close(promise: nil)
            } else {
                context.write(data, promise: promise)
            }
        }
    }
}
