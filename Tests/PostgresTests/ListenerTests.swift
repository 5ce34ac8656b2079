import Foundation
import Testing

@testable import Postgres

/// Collects what a listener delivers, for bounded waits in tests.
private final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [PostgresNotification] = []
    private var done = false

    var notifications: [PostgresNotification] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }

    var finished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return done
    }

    func consume(_ stream: AsyncStream<PostgresNotification>) -> Task<Void, Never> {
        Task {
            for await notification in stream {
                lock.withLock { items.append(notification) }
            }
            lock.withLock { done = true }
        }
    }
}

/// Polls `condition` every 20 ms for at most `seconds`.
func eventually(within seconds: Double = 15, _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

struct ListenerTests {
    private func notify(_ url: String, _ channel: String, _ payload: String) async throws -> Int32 {
        try await LiveServer.admin(url) { connection in
            try connection.notify(channel: channel, payload: payload)
            return connection.backendPID
        }
    }

    @Test func notificationsArriveWithChannelPayloadAndPID() async throws {
        try await LiveServer.withFreshDatabase { url in
            let listener = try PostgresListener(url: url, logger: LiveServer.quietLogger)
            let collector = Collector()
            let consumer = collector.consume(listener.notifications)
            // Names that need quoting: a space, a quote, mixed case.
            try await listener.listen("case events")
            try await listener.listen("We\"ird")
            let sender = try await notify(url, "case events", "case 42 resolved ✓")
            _ = try await notify(url, "We\"ird", "")
            _ = try await notify(url, "not listened", "ignored")
            #expect(try await eventually { collector.notifications.count >= 2 })
            let received = collector.notifications
            #expect(
                received.first
                    == PostgresNotification(channel: "case events", payload: "case 42 resolved ✓", pid: sender))
            #expect(received.contains { $0.channel == "We\"ird" && $0.payload.isEmpty })
            try await listener.unlisten("case events")
            _ = try await notify(url, "case events", "after unlisten")
            _ = try await notify(url, "We\"ird", "still here")
            #expect(try await eventually { collector.notifications.contains { $0.payload == "still here" } })
            #expect(!collector.notifications.contains { $0.payload == "after unlisten" })
            listener.close()
            #expect(try await eventually { collector.finished })
            await consumer.value
        }
    }

    @Test func theListenerReconnectsAfterItsBackendIsTerminated() async throws {
        try await LiveServer.withFreshDatabase { url in
            let logs = CapturedLogs()
            let listener = try PostgresListener(url: url, logger: logs.logger, reconnectDelay: .milliseconds(50))
            let collector = Collector()
            let consumer = collector.consume(listener.notifications)
            try await listener.listen("attestations")
            _ = try await notify(url, "attestations", "before")
            #expect(try await eventually { collector.notifications.count == 1 })

            let firstPID = try #require(listener.backendPID)
            let terminated = try await LiveServer.admin(url) { connection in
                try connection.query("SELECT pg_terminate_backend(\(firstPID)) AS done")[0].decode(Bool.self, "done")
            }
            #expect(terminated)
            #expect(try await eventually { listener.backendPID.map { $0 != firstPID } == true })
            #expect(listener.reconnectCount == 1)

            _ = try await notify(url, "attestations", "after")
            #expect(try await eventually { collector.notifications.contains { $0.payload == "after" } })
            #expect(logs.entries.contains { $0.level == .warning && $0.message.contains("LISTEN connection lost") })
            #expect(logs.entries.contains { $0.message.contains("re-established") })
            listener.close()
            await consumer.value
        }
    }

    @Test func listenFailsWhenTheServerIsUnreachable() async throws {
        // Port 1 on loopback: nothing listens there.
        let listener = try PostgresListener(
            url: "postgres://nobody@127.0.0.1:1/none?connect_timeout=2", logger: LiveServer.quietLogger)
        await #expect(throws: PostgresError.self) { try await listener.listen("x") }
        listener.close()
        await #expect {
            try await listener.listen("x")
        } throws: { ($0 as? PostgresError)?.code == .listenerClosed }
    }
}
