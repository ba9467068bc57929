import Hummingbird
import NIOCore

/// The request context of `vigil serve`: Hummingbird's basic context plus the client's
/// address (the console throttles failed logins per address).
package struct VigilRequestContext: RequestContext, RemoteAddressRequestContext {
    package var coreContext: CoreRequestContextStorage
    package let remoteAddress: SocketAddress?

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
