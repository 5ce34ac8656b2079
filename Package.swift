// swift-tools-version: 6.1
import PackageDescription

// Dependencies point inward: C bindings <- pure cores (Ethereum, Attestation)
// <- I/O modules (Postgres, EthereumRPC) <- services <- the executable.
let package = Package(
    name: "CaseAttest",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "caseattest", targets: ["caseattest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // System libraries, provided by Debian's -dev packages.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1", providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // Pure cores: no I/O.
        .target(name: "Ethereum", dependencies: ["CSecp256k1", "COpenSSL"]),
        .target(name: "Attestation", dependencies: ["Ethereum", "COpenSSL"]),

        // I/O.
        .target(name: "Postgres", dependencies: [
            "CLibPQ", "COpenSSL",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "EthereumRPC", dependencies: [
            "CCurl", "Ethereum",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The executable: wiring only.
        .executableTarget(name: "caseattest", dependencies: [
            "Ethereum", "Attestation", "Postgres", "EthereumRPC",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // Benchmark of case documents: build, canonicalise, hash (bench/20-canonical.sh).
        .executableTarget(name: "bench-attestation", dependencies: ["Attestation", "Ethereum"]),

        .testTarget(name: "CBindingsTests", dependencies: ["CLibPQ", "CCurl", "CSecp256k1", "COpenSSL"]),
        .testTarget(name: "EthereumTests", dependencies: [
            "Ethereum",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "AttestationTests", dependencies: [
            "Attestation", "Ethereum",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres"]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "Postgres", "EthereumRPC", "Ethereum", "Attestation",
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
