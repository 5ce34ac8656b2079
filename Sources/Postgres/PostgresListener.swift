import CLibPQ
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A NOTIFY received on a channel this listener LISTENs to.
public struct PostgresNotification: Sendable, Hashable {
    public let channel: String
    public let payload: String
    /// The server process that sent it.
    public let pid: Int32

    public init(channel: String, payload: String, pid: Int32) {
        self.channel = channel
        self.payload = payload
        self.pid = pid
    }
}

/// LISTENs on a dedicated connection served by a dedicated thread, which
/// waits on the socket with poll(2) and delivers notifications to
/// `notifications`. When the connection drops it reconnects (with backoff),
/// LISTENs again on every channel and logs it. Notifications sent while it
/// was disconnected are lost, as with any LISTEN: consumers that must not
/// miss work should rescan after `reconnectCount` changes.
public final class PostgresListener: Sendable {
    public let notifications: AsyncStream<PostgresNotification>
    private let core: ListenerCore

    /// Starts the listener thread, which connects at once and keeps retrying.
    /// - Parameter bufferLimit: notifications kept for a slow consumer before
    ///   the oldest are dropped (with a warning).
    public init(
        url: String, logger: Logger, reconnectDelay: Duration = .milliseconds(200), bufferLimit: Int = 10_000
    ) throws {
        try PostgresURL.validate(url)
        let (stream, continuation) = AsyncStream.makeStream(
            of: PostgresNotification.self, bufferingPolicy: .bufferingNewest(bufferLimit))
        notifications = stream
        core = try ListenerCore(url: url, logger: logger, reconnectDelay: reconnectDelay, continuation: continuation)
        continuation.onTermination = { [weak core] _ in core?.stop() }
        core.start()
    }

    deinit {
        core.stop()
    }

    /// LISTENs on `channel` (quoted as an identifier, so any name is safe).
    /// Returns once the server has accepted it; from then on the channel is
    /// re-LISTENed after every reconnect.
    public func listen(_ channel: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            core.request(.listen(channel), continuation)
        }
    }

    /// Stops listening on `channel`.
    public func unlisten(_ channel: String) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            core.request(.unlisten(channel), continuation)
        }
    }

    /// Stops the thread, closes the connection and finishes `notifications`.
    public func close() {
        core.stop()
    }

    /// The backend currently serving the listener, nil while disconnected.
    public var backendPID: Int32? { core.snapshot.pid }

    /// How many times the listener has reconnected after a lost connection.
    public var reconnectCount: Int { core.snapshot.reconnects }
}

/// The listener's thread and the state it shares with callers (behind `lock`).
/// The connection itself is touched only by the thread.
private final class ListenerCore: @unchecked Sendable {
    enum Command {
        case listen(String)
        case unlisten(String)
    }

    private let url: String
    private let logger: Logger
    private let reconnectDelay: Duration
    private let continuation: AsyncStream<PostgresNotification>.Continuation
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private let lock = NSLock()
    private var channels: [String] = []
    private var pending: [(Command, CheckedContinuation<Void, Error>)] = []
    private var stopped = false
    private var pid: Int32?
    private var reconnects = 0

    init(
        url: String, logger: Logger, reconnectDelay: Duration,
        continuation: AsyncStream<PostgresNotification>.Continuation
    ) throws {
        self.url = url
        self.logger = logger
        self.reconnectDelay = reconnectDelay
        self.continuation = continuation
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw PostgresError(
                .connectionFailed, message: "could not create the listener's wake-up pipe (errno \(errno))")
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        _ = fcntl(wakeRead, F_SETFL, O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, O_NONBLOCK)
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "caseattest.postgres.listener"
        thread.start()
    }

    var snapshot: (pid: Int32?, reconnects: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (pid, reconnects)
    }

    func request(_ command: Command, _ waiter: CheckedContinuation<Void, Error>) {
        lock.lock()
        if stopped {
            lock.unlock()
            waiter.resume(throwing: PostgresError(.listenerClosed, message: "the listener is closed"))
            return
        }
        pending.append((command, waiter))
        lock.unlock()
        wake()
    }

    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    // MARK: The thread

    private func run() {
        var connection: PostgresConnection?
        var delay = reconnectDelay
        var everConnected = false
        while !isStopped {
            if connection == nil {
                do {
                    connection = try connectAndRelisten(reconnecting: everConnected)
                    everConnected = true
                    delay = reconnectDelay
                } catch {
                    logger.warning(
                        "LISTEN connection failed; retrying", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                    failPending(error)
                    waitForWake(timeout: delay)
                    delay = min(delay * 2, .seconds(5))
                    continue
                }
            }
            guard let live = connection else { continue }
            runPending(on: live)
            deliver(from: live)
            if live.isHealthy {
                waitForInput(on: live)
            }
            if !live.isHealthy {
                logger.warning("LISTEN connection lost; reconnecting", metadata: ["backend_pid": "\(live.backendPID)"])
                live.close()
                connection = nil
                setPID(nil)
            }
        }
        connection?.close()
        failPending(PostgresError(.listenerClosed, message: "the listener is closed"))
        continuation.finish()
    }

    private func connectAndRelisten(reconnecting: Bool) throws -> PostgresConnection {
        let connection = try PostgresConnection.connect(url: url, logger: logger)
        do {
            for channel in currentChannels() {
                try connection.simpleExecute("LISTEN \(try connection.quoteIdentifier(channel))")
            }
        } catch {
            connection.close()
            throw error
        }
        lock.lock()
        pid = connection.backendPID
        if reconnecting { reconnects += 1 }
        let count = channels.count
        lock.unlock()
        if reconnecting {
            logger.notice(
                "LISTEN connection re-established",
                metadata: ["channels": "\(count)", "backend_pid": "\(connection.backendPID)"])
        }
        return connection
    }

    private func runPending(on connection: PostgresConnection) {
        lock.lock()
        let work = pending
        pending = []
        lock.unlock()
        for (command, waiter) in work {
            do {
                switch command {
                case .listen(let channel):
                    try connection.simpleExecute("LISTEN \(try connection.quoteIdentifier(channel))")
                    lock.lock()
                    if !channels.contains(channel) { channels.append(channel) }
                    lock.unlock()
                case .unlisten(let channel):
                    try connection.simpleExecute("UNLISTEN \(try connection.quoteIdentifier(channel))")
                    lock.lock()
                    channels.removeAll { $0 == channel }
                    lock.unlock()
                }
                waiter.resume()
            } catch {
                waiter.resume(throwing: error)
            }
        }
    }

    /// Waits until the socket is readable, a caller wakes us, or a second passes.
    private func waitForInput(on connection: PostgresConnection) {
        guard let handle = connection.rawHandle else { return }
        let socket = PQsocket(handle)
        guard socket >= 0 else { return }
        var fds = [
            pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
        ]
        let ready = poll(&fds, 2, 1000)
        guard ready > 0 else { return }
        if fds[1].revents != 0 { drainWakePipe() }
        if fds[0].revents != 0 {
            // 0 means the connection failed (e.g. the backend was terminated);
            // the caller sees isHealthy turn false and reconnects.
            if PQconsumeInput(handle) == 0 {
                logger.debug("PQconsumeInput failed on the LISTEN connection")
            }
            deliver(from: connection)
        }
    }

    private func waitForWake(timeout: Duration) {
        var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        let milliseconds = Int32(
            clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        if poll(&fds, 1, milliseconds) > 0 { drainWakePipe() }
    }

    private func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    private func deliver(from connection: PostgresConnection) {
        guard let handle = connection.rawHandle else { return }
        while let notify = PQnotifies(handle) {
            let notification = PostgresNotification(
                channel: String(cString: notify.pointee.relname),
                payload: notify.pointee.extra.map { String(cString: $0) } ?? "",
                pid: notify.pointee.be_pid
            )
            PQfreemem(notify)
            if case .dropped = continuation.yield(notification) {
                logger.warning(
                    "a slow consumer made the listener drop a notification",
                    metadata: ["channel": "\(notification.channel)"])
            }
        }
    }

    private func currentChannels() -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return channels
    }

    private func setPID(_ value: Int32?) {
        lock.lock()
        pid = value
        lock.unlock()
    }

    private func failPending(_ error: Error) {
        lock.lock()
        let work = pending
        pending = []
        lock.unlock()
        for (_, waiter) in work { waiter.resume(throwing: error) }
    }
}
