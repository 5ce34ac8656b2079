import Foundation
import ThreadHandoff

/// A fixed set of dedicated OS threads for blocking libpq calls.
///
/// libpq blocks its calling thread while it waits for the server. Doing that on
/// Swift's cooperative pool would starve every other task on a 2-core machine,
/// so every blocking call goes through here instead: `run` parks the calling
/// task on a continuation and one of these threads does the work.
final class BlockingExecutor: @unchecked Sendable {
    // All mutable state below is guarded by `condition`.
    private let condition = NSCondition()
    /// Taken jobs are set to nil at once: a finished job must not keep what
    /// it captured (its query, its result) alive until the queue is compacted.
    private var jobs: [(@Sendable () -> Void)?] = []
    private var head = 0
    private var shuttingDown = false
    private var liveThreads = 0

    init(threadCount: Int, name: String) {
        let count = max(1, threadCount)
        liveThreads = count
        for index in 0..<count {
            let thread = Thread { [self] in workLoop() }
            thread.name = "\(name).\(index)"
            thread.start()
        }
    }

    /// Runs `body` on one of the executor's threads and returns its result:
    /// at once when the caller is already on one (a task that prefers this
    /// executor, see `TaskExecutor` below), else by a hop there and back.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        if isCurrentThread { return try body() }
        return try await withThreadResult { (result: ThreadResult<T, any Error>) in
            let accepted = enqueue {
                result.resume(with: Result { try body() })
            }
            if !accepted {
                result.resume(throwing: PostgresError(.poolClosed, message: "the connection pool is closed"))
            }
        }
    }

    /// Queues a job; false when the executor is shutting down.
    func enqueue(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        if shuttingDown {
            condition.unlock()
            return false
        }
        jobs.append(job)
        condition.unlock()
        // Signalled after unlocking: a thread woken while the lock is still
        // held would wake only to wait for the lock (one more futex round
        // trip per query). It finds the job either way: it checks the queue
        // under the lock before it waits.
        condition.signal()
        return true
    }

    /// Lets queued jobs finish, then ends the threads. New jobs are refused.
    func shutdown() {
        condition.lock()
        shuttingDown = true
        condition.broadcast()
        condition.unlock()
    }

    private static let markerKey = "caseattest.postgres.blocking-executor"

    /// True on a thread owned by a BlockingExecutor (Thread names are not
    /// reliable on Linux, so the thread marks itself).
    static var isExecutorThread: Bool {
        Thread.current.threadDictionary[markerKey] as? Bool == true
    }

    /// Which executor the current thread belongs to (nil: none).
    private static let ownerKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-specific key left")
        return key
    }()

    /// True on one of this executor's own threads.
    var isCurrentThread: Bool {
        pthread_getspecific(Self.ownerKey) == Unmanaged.passUnretained(self).toOpaque()
    }

    private func workLoop() {
        Thread.current.threadDictionary[Self.markerKey] = true
        pthread_setspecific(Self.ownerKey, Unmanaged.passUnretained(self).toOpaque())
        while let job = nextJob() {
            job()
        }
    }

    private func nextJob() -> (@Sendable () -> Void)? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count {
            if shuttingDown {
                liveThreads -= 1
                return nil
            }
            condition.wait()
        }
        guard let job = jobs[head] else { preconditionFailure("a queued job was taken twice") }
        jobs[head] = nil
        head += 1
        // Compact now and then so the array does not grow without bound.
        if head > 64 && head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }

    /// Runs `body` on a fresh thread of its own (for one-off sessions such as
    /// the migrator's, which hold a connection for their whole run).
    static func runOnOwnThread<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T
    {
        try await withThreadResult { (result: ThreadResult<T, any Error>) in
            let thread = Thread {
                Thread.current.threadDictionary[markerKey] = true
                result.resume(with: Result { try body() })
            }
            thread.name = name
            thread.start()
        }
    }
}

/// The executor's threads as a task executor (`PostgresPool.withTaskExecutor`):
/// a task preferring them runs its blocking calls inline on the thread it is
/// on, saving two thread wake-ups per query (a hop to a pool thread and the
/// resume back); its other work runs on these threads too.
extension BlockingExecutor: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        guard enqueue({ job.runSynchronously(on: executor) }) else {
            // Shut down: a task still preferring these threads goes on, on a
            // thread of its own, rather than never.
            let thread = Thread { job.runSynchronously(on: executor) }
            thread.start()
            return
        }
    }
}
