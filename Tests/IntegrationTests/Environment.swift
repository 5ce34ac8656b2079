import Foundation
import Logging
import Testing

/// Integration tests need PostgreSQL and the dev chain. Under `make test`
/// (CASEATTEST_REQUIRE_SERVICES=1) a missing service is a failure; under a
/// bare `swift test` the tests skip and print why.
enum TestEnvironment {
    static var required: Bool { ProcessInfo.processInfo.environment["CASEATTEST_REQUIRE_SERVICES"] == "1" }

    static var databaseURL: String? { value("DATABASE_URL") }
    static var rpcURL: String? { value("CASEATTEST_RPC_URL") }

    /// Anvil's first well-known PUBLIC dev key, prefunded by our dev chain.
    static let devKeyHex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
    static let chainID: UInt64 = UInt64(value("CASEATTEST_CHAIN_ID") ?? "") ?? 1337

    static let logger = Logger(label: "integration-tests")

    private static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// The dev chain's URL, or nil after printing why the test skips (or
    /// recording a failure when services are required).
    static func requireRPC(_ test: String = #function) -> String? {
        if let rpcURL { return rpcURL }
        skip(test, "CASEATTEST_RPC_URL is not set (run `make dev-up && source .run/env`, or `make test`)")
        return nil
    }

    static func requireDatabase(_ test: String = #function) -> String? {
        if let databaseURL { return databaseURL }
        skip(test, "DATABASE_URL is not set (run `make dev-up && source .run/env`, or `make test`)")
        return nil
    }

    private static func skip(_ test: String, _ reason: String) {
        if required {
            Issue.record("\(test): \(reason), but CASEATTEST_REQUIRE_SERVICES=1")
        } else {
            print("SKIP \(test): \(reason)")
        }
    }
}
