// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .library(name: "VigilCore", targets: ["VigilCore"]),
        .library(name: "VigilCEL", targets: ["VigilCEL"]),
        .library(name: "VigilCLI", targets: ["VigilCLI"]),
        .library(name: "VigilTesting", targets: ["VigilTesting"]),
        .library(name: "VigilSMTP", targets: ["VigilSMTP"]),
        .library(name: "VigilMatrix", targets: ["VigilMatrix"]),
        .library(name: "VigilWebhook", targets: ["VigilWebhook"]),
        .library(name: "Curl", targets: ["Curl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // libcurl, with a C shim for its variadic setopt/getinfo functions.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(name: "Curl", dependencies: ["CCurl"], swiftSettings: strict),
        // libxml2 (HTML and XML parsing, XPath), with a C shim that keeps it off the network and stderr.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // zlib, for the parts of XLSX files.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // HTML and XML documents, XPath and CSS selectors for the source plugins that read markup.
        .target(name: "VigilXML", dependencies: ["CLibXML2", "VigilCore"], swiftSettings: strict),
        // Standard Webhooks signing and verification, shared by the webhook plugin and the receiver.
        .target(
            name: "StandardWebhooks",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // Rule expressions: a CEL subset with its own cross-check against cel-python.
        .target(name: "VigilCEL", swiftSettings: strict),
        .target(
            name: "VigilCore",
            dependencies: [
                "Curl", "VigilCEL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Output plugins: ordinary library targets in Plugins/ (not SwiftPM package plugins).
        .target(
            name: "VigilSMTP",
            dependencies: ["VigilCore", "Curl", "CCurl"],
            path: "Plugins/SMTP",
            swiftSettings: strict
        ),
        .target(
            name: "VigilHTML",
            dependencies: ["VigilCore", "VigilXML"],
            path: "Plugins/HTML",
            swiftSettings: strict
        ),
        .target(
            name: "VigilFeed",
            dependencies: ["VigilCore", "VigilXML"],
            path: "Plugins/Feed",
            swiftSettings: strict
        ),
        .target(
            name: "VigilXLSX",
            dependencies: ["VigilCore", "CZlib"],
            path: "Plugins/XLSX",
            swiftSettings: strict
        ),
        .target(
            name: "VigilCommandSource",
            dependencies: [
                "VigilCore", "VigilCEL", "VigilHTML", .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            path: "Plugins/Command",
            swiftSettings: strict
        ),
        .target(
            name: "VigilMatrix",
            dependencies: ["VigilCore", "Curl"],
            path: "Plugins/Matrix",
            swiftSettings: strict
        ),
        .target(
            name: "VigilWebhook",
            dependencies: ["VigilCore", "Curl", "StandardWebhooks"],
            path: "Plugins/Webhook",
            swiftSettings: strict
        ),
        // `vigil serve`: the scheduler, the continuous delivery loop and the HTTP receiver.
        .target(
            name: "VigilServer",
            dependencies: [
                "VigilCore", "StandardWebhooks", "Curl",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The commit a build came from, linked in by scripts/package.sh.
        .target(name: "CVigilBuild"),
        // The command line as a library: "vigil plus my own plugin" is a short executable.
        .target(
            name: "VigilCLI",
            dependencies: [
                "VigilCore", "VigilServer", "Curl", "CVigilBuild",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The `vigil` executable: VigilCLI with the plugins Vigil ships.
        .executableTarget(
            name: "vigil",
            dependencies: [
                "VigilCLI", "VigilCore", "VigilSMTP", "VigilMatrix", "VigilWebhook", "VigilHTML", "VigilFeed",
                "VigilXLSX",
                "VigilCommandSource",
            ],
            swiftSettings: strict
        ),
        // Benchmarks that need internals; run by scripts/bench.sh, never by the tests.
        .executableTarget(
            name: "vigil-bench",
            dependencies: [
                "VigilCore", "VigilSMTP", "VigilMatrix", "VigilWebhook", "StandardWebhooks", "Curl", "VigilHTML",
                "VigilServer", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Fuzz targets: libFuzzer with scripts/fuzz.sh; without it, replays the seed corpora.
        .executableTarget(
            name: "vigil-fuzz",
            dependencies: [
                "VigilCore", "VigilSMTP", "VigilWebhook", "StandardWebhooks", "VigilHTML", "VigilFeed", "VigilXLSX",
                "VigilXML", .product(name: "Mustache", package: "swift-mustache"),
            ],
            path: "Fuzz/Sources/vigil-fuzz",
            swiftSettings: strict
        ),
        // For tests of Vigil and of plugins: server locators, temporary directories, a silent
        // logger and the conformance checks every output runs.
        .target(
            name: "VigilTesting",
            dependencies: ["VigilCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "VigilCELTests", dependencies: ["VigilCEL", "VigilCore", "VigilTesting"], swiftSettings: strict),
        .testTarget(name: "CurlTests", dependencies: ["Curl"], swiftSettings: strict),
        .testTarget(
            name: "VigilCoreTests", dependencies: ["VigilCore", "VigilCEL", "VigilTesting"], swiftSettings: strict),
        .testTarget(
            name: "SMTPTests", dependencies: ["VigilSMTP", "VigilCore", "Curl", "VigilTesting"], swiftSettings: strict),
        .testTarget(
            name: "MatrixTests", dependencies: ["VigilMatrix", "VigilCore", "Curl", "VigilTesting"],
            swiftSettings: strict),
        .testTarget(
            name: "WebhookTests",
            dependencies: ["VigilWebhook", "StandardWebhooks", "VigilCore", "Curl", "VigilTesting"],
            swiftSettings: strict),
        .testTarget(
            name: "VigilServerTests",
            dependencies: [
                "VigilServer", "VigilCore", "VigilTesting", "StandardWebhooks", "Curl",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SourceKindTests",
            dependencies: [
                "VigilCore", "VigilXML", "VigilHTML", "VigilFeed", "VigilXLSX", "VigilCommandSource", "VigilTesting",
                "Curl", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["VigilCore", "Curl", "VigilWebhook", "StandardWebhooks", "VigilTesting"],
            swiftSettings: strict
        ),
    ]
)
