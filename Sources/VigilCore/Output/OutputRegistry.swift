/// The output types a program knows, by their configuration `type`.
///
/// The core registers `stdout`; the `vigil` executable adds the plugins it ships.
public struct OutputRegistry: Sendable {
    private var factories: [String: any OutputFactory] = [:]

    public init(_ factories: [any OutputFactory] = [StdoutOutputFactory()]) {
        for factory in factories { register(factory) }
    }

    public mutating func register(_ factory: any OutputFactory) {
        factories[factory.type] = factory
    }

    public func factory(for type: String) -> (any OutputFactory)? { factories[type] }

    public var types: [String] { factories.keys.sorted() }
}
