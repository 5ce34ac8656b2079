import Logging
import Testing

@testable import Redis

/// What needs no server: URLs, and failing fast when Redis is not there.
/// tests/ops drives the client against a real redis-server.
@Suite struct RedisClientTests {
    @Test func urlsParseAndRedactThePassword() throws {
        let plain = try RedisURL("redis://cache.internal")
        #expect(plain.host == "cache.internal" && plain.port == 6379 && plain.database == 0 && plain.password == nil)
        let full = try RedisURL("redis://app:s%40cret@10.0.0.5:6380/2")
        #expect(full.user == "app" && full.password == "s@cret" && full.port == 6380 && full.database == 2)
        #expect(full.redacted == "redis://***@10.0.0.5:6380/2")
        #expect(!full.redacted.contains("cret"))
        let passwordOnly = try RedisURL("redis://:hunter2@localhost")
        #expect(passwordOnly.user == nil && passwordOnly.password == "hunter2")
    }

    @Test func badURLsAreRefusedWithoutRepeatingThem() {
        for bad in ["http://x", "redis://", "rediss://h:1", "redis://:pw@h/notanumber", "localhost:6379"] {
            #expect(throws: RedisError.self, "\(bad)") { try RedisURL(bad) }
            do { _ = try RedisURL(bad) } catch { #expect(!error.description.contains("pw")) }
        }
    }

    @Test func aClosedPortFailsThenWaitsBeforeTryingAgain() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        // An hour: no call below can reach the next attempt, however loaded the machine.
        let client = RedisClient(
            url: try RedisURL("redis://127.0.0.1:1"), retryInterval: .seconds(3600), logger: logger)
        var messages: [String] = []
        for _ in 0..<3 {
            do {
                try await client.ping()
                Issue.record("a closed port answered")
            } catch {
                #expect(error.kind == .unavailable)
                messages.append(error.message)
            }
        }
        // The first call tried to connect; the others failed at once, without
        // trying, and say when the next attempt is (no timing asserted).
        #expect(messages.count == 3)
        #expect(messages.first.map { !$0.contains("next attempt") } == true)
        #expect(messages.dropFirst().allSatisfy { $0.contains("next attempt") })
    }
}
