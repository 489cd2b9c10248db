// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: FerryCore <- FerryMapping <- FerryVendors <- FerryLoader <- ferry.
// FerrySandbox uses FerryVendors and FerryCore, never FerryLoader.
let package = Package(
    name: "ferry",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ferry", targets: ["ferry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // ISA-L's inflate, loaded at run time when present (zlib otherwise): see Sources/CIsal.
        .target(name: "CIsal", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        // The CSV and JSON string byte searches, sixteen bytes at a time with SSE2: see Sources/CByteScan.
        .target(name: "CByteScan"),
        .target(name: "FerryCore", dependencies: ["CZlib", "CIsal", "CByteScan"]),
        .target(name: "FerryMapping", dependencies: ["FerryCore", .product(name: "Yams", package: "Yams")]),
        // SHA-256 on the CPU's SHA extensions where there are some (Pyze's messageId): see Sources/CSha256.
        .target(name: "CSha256"),
        .target(name: "FerryVendors", dependencies: ["FerryCore", "FerryMapping", "CSha256"]),
        .target(name: "FerryLoader", dependencies: [
            "FerryCore", "FerryMapping", "FerryVendors",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .target(name: "FerrySandbox", dependencies: [
            "FerryCore", "FerryVendors",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(
            name: "ferry",
            dependencies: [
                "FerryCore", "FerryMapping", "FerryVendors", "FerryLoader", "FerrySandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Shared by the test targets: temporary directories removed when the tests end.
        .target(name: "FerryTestSupport", path: "Tests/FerryTestSupport"),
        .testTarget(name: "FerryCoreTests", dependencies: ["FerryCore", "FerryTestSupport"]),
        .testTarget(name: "FerryMappingTests", dependencies: ["FerryMapping"]),
        .testTarget(name: "FerryVendorsTests", dependencies: ["FerryVendors"]),
        .testTarget(name: "FerrySandboxTests", dependencies: [
            "FerrySandbox",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "FerryLoaderTests", dependencies: [
            "FerryLoader", "FerryTestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // End-to-end tests: run the built `ferry` executable as a user would.
        .testTarget(name: "FerryCLITests", dependencies: [
            "ferry", "FerrySandbox", "FerryVendors", "FerryCore", "FerryTestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
