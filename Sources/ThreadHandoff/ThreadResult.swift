import Foundation

/// Waits for a result that a thread outside Swift's concurrency runtime
/// computes (libpq's blocking threads, the libcurl and hiredis queues):
///
///     let rows = try await withThreadResult { (result: ThreadResult<Rows, any Error>) in
///         queue.async { result.resume(with: Result { try query() }) }
///     }
///
/// Why not a bare `withCheckedContinuation`: the runtime does order the resume
/// before the task goes on, but when the result is ready before the task has
/// finished suspending, `swift_continuation_await` takes a fast path with no
/// ThreadSanitizer annotation (the resume side announces a release; that path
/// never acquires it). TSan then reports the task's first reads of whatever
/// the thread wrote as data races. Handing the result over through a lock,
/// which TSan does see, makes the ordering visible, for one uncontended lock.
public func withThreadResult<T: Sendable, Failure: Error>(
    _ start: (ThreadResult<T, Failure>) -> Void
) async throws(Failure) -> T {
    let slot = ResultSlot<T, Failure>()
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        start(ThreadResult(slot: slot, continuation: continuation))
    }
    return try slot.take().get()
}

/// The resuming half of `withThreadResult`: resume exactly once, from any thread.
public struct ThreadResult<T: Sendable, Failure: Error>: Sendable {
    fileprivate let slot: ResultSlot<T, Failure>
    fileprivate let continuation: CheckedContinuation<Void, Never>

    public func resume(with result: Result<T, Failure>) {
        slot.put(result)
        continuation.resume()
    }

    public func resume(returning value: T) { resume(with: .success(value)) }

    public func resume(throwing error: Failure) { resume(with: .failure(error)) }
}

/// The result between the two threads; every access holds the lock.
private final class ResultSlot<T: Sendable, Failure: Error>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, Failure>?

    func put(_ result: Result<T, Failure>) {
        lock.withLock { self.result = result }
    }

    /// Moves the result out: whoever still holds the slot (a finished job
    /// kept in its executor's queue) must not keep a query's rows alive.
    func take() -> Result<T, Failure> {
        lock.withLock {
            guard let taken = result else { preconditionFailure("withThreadResult resumed without a result") }
            result = nil
            return taken
        }
    }
}
