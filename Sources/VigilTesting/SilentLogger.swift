import Logging

extension Logger {
    /// A logger that drops everything: for tests that assert on outcomes, not on logs.
    public static var silent: Logger {
        Logger(label: "vigil.test", factory: { _ in SwiftLogNoOpLogHandler() })
    }
}
