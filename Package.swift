// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Treaty",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "treatyd", targets: ["treatyd"]),
        .executable(name: "treaty", targets: ["treaty"]),
        .library(name: "TreatyClient", targets: ["TreatyClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
    ],
    targets: [
        // C shims: the system SQLite with the session extension declared, and zlib.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // glibc's malloc tuning (mallopt), which Swift's Glibc module does not export.
        .target(name: "CMalloc"),

        // Records, dates, names: pure values, no I/O.
        .target(name: "TreatyModel"),
        // JSON-RPC 2.0 wire types: no NIO, no store.
        .target(name: "TreatyProtocol", dependencies: ["TreatyModel"]),
        // Change sets as they travel: signed envelopes, version vectors, clocks, bundle files. No database.
        .target(
            name: "TreatySync",
            dependencies: ["TreatyModel", "CZlib", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The SQLite store: schema, migrations, office identity, queries, search, interchange, capture and merge.
        .target(
            name: "TreatyStore",
            dependencies: [
                "TreatyModel", "TreatyProtocol", "TreatySync", "CSQLite",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Sync over the network: office certificates, the peer protocol, mutual-TLS listener and dialer.
        .target(
            name: "TreatyPeer",
            dependencies: [
                "TreatySync", "TreatyStore", "TreatyModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The daemon as a library: configuration, RPC methods, the Unix-socket server.
        .target(
            name: "TreatyDaemon",
            dependencies: [
                "TreatyModel", "TreatyProtocol", "TreatyStore", "TreatySync", "TreatyPeer",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // An async client for the daemon's socket: no event-loop group, no TLS, no crypto, no store.
        .target(name: "TreatyClient", dependencies: ["TreatyModel", "TreatyProtocol"]),
        // The command-line client's commands and formatting.
        .target(
            name: "TreatyCLI",
            dependencies: [
                "TreatyModel", "TreatyProtocol", "TreatyClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "treatyd",
            dependencies: [
                "TreatyDaemon", "TreatyProtocol", "CMalloc", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The CLI is one static executable, C library included: no dynamic loader at start (resolving the C++
        // runtime's symbols and relocating a position-independent binary were a third of a one-shot command's
        // time). It is not position-independent; the daemon, which peers and clients talk to, stays so. The two
        // libraries under FoundationEssentials are named for a debug link, which strips no dead code that needs them.
        .executableTarget(name: "treaty", dependencies: ["TreatyCLI"], linkerSettings: [.unsafeFlags(["-static-executable", "-l_FoundationCollections", "-l_FoundationCShims"])]),

        .testTarget(name: "TreatyModelTests", dependencies: ["TreatyModel"]),
        .testTarget(name: "TreatySyncTests", dependencies: ["TreatySync", "TreatyModel"]),
        .testTarget(
            name: "TreatyPeerTests",
            dependencies: [
                "TreatyPeer", "TreatyStore", "TreatySync", "TreatyModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "TreatyStoreTests", dependencies: ["TreatyStore", "TreatySync", "TreatyModel", "TreatyProtocol"]),
        .testTarget(name: "TreatyProtocolTests", dependencies: ["TreatyProtocol", "TreatyModel"]),
        .testTarget(name: "TreatyCLITests", dependencies: ["TreatyCLI", "TreatyModel"]),
        .testTarget(
            name: "TreatyClientTests",
            dependencies: ["TreatyClient"]
        ),
        .testTarget(
            name: "TreatyDaemonTests",
            dependencies: ["TreatyDaemon", "TreatyClient", "TreatyStore", "TreatyProtocol", "TreatyModel"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Async functions that are not isolated run on their caller's executor: a connection's work stays on its
// event loop instead of hopping to the global pool and back.
for target in package.targets where ["TreatyDaemon", "TreatyStore", "TreatyClient", "TreatyPeer"].contains(target.name) {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
}
