import Foundation
import Testing

/// Integration tests need PostgreSQL and the dev chain. Under `make test`
/// (CASEATTEST_REQUIRE_SERVICES=1) they are required; under a bare
/// `swift test` the tests skip and say why.
enum TestEnvironment {
    static var required: Bool { ProcessInfo.processInfo.environment["CASEATTEST_REQUIRE_SERVICES"] == "1" }
    static var databaseURL: String? { ProcessInfo.processInfo.environment["DATABASE_URL"] }
    static var rpcURL: String? { ProcessInfo.processInfo.environment["CASEATTEST_RPC_URL"] }
}
