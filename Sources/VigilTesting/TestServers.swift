import Foundation

/// Where the loopback servers that `scripts/test.sh` starts can be reached. Each server
/// publishes its address in an environment variable (a URL, or the path of a JSON file
/// with its ports and credentials).
public enum TestServers {
    /// A server the test needs was not started.
    public struct Missing: Error, CustomStringConvertible {
        public var variable: String
        public var description: String {
            "\(variable) is not set: run the tests with scripts/test.sh, which starts the test servers"
        }
    }

    /// The plain HTTP test server (`Tests/Servers/http_server.py`): its base URL.
    public static func http() throws(Missing) -> String { try value("VIGIL_TEST_HTTP") }

    /// The SMTP server's description (ports, mail directory, CA, credentials).
    public static func smtp() throws -> [String: Any] { try info("VIGIL_TEST_SMTP") }

    /// The webhook receiver's description (`url`, `secret`).
    public static func webhook() throws -> [String: Any] { try info("VIGIL_TEST_WEBHOOK") }

    /// The Synapse homeserver's description (`url`, users and passwords).
    public static func matrix() throws -> [String: Any] { try info("VIGIL_TEST_MATRIX") }

    /// The `vigil` executable under test.
    public static func vigilBinary() throws(Missing) -> String { try value("VIGIL_BINARY") }

    private static func value(_ variable: String) throws(Missing) -> String {
        guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
            throw Missing(variable: variable)
        }
        return value
    }

    private static func info(_ variable: String) throws -> [String: Any] {
        let path = try value(variable)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Missing(variable: variable + " (not a JSON object)")
        }
        return object
    }
}
