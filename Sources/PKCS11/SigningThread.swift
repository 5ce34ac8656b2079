import CPKCS11
import Foundation

/// A dedicated OS thread that owns one token session and runs signing jobs
/// one at a time. Callers block on a semaphore while it works: a token is
/// slow and serial, and its calls never run on Swift's cooperative pool.
final class SigningThread: @unchecked Sendable {
    private final class Queue: @unchecked Sendable {
        let condition = NSCondition()
        var jobs: [() -> Void] = []
        var stopped = false

        func loop() {
            while true {
                condition.lock()
                while jobs.isEmpty && !stopped { condition.wait() }
                if jobs.isEmpty { condition.unlock(); return }
                let job = jobs.removeFirst()
                condition.unlock()
                job()
            }
        }
    }

    private let queue = Queue()
    // Touched only on the thread (after init hands it over).
    private var session: PKCS11Session

    init(session: PKCS11Session, name: String) {
        self.session = session
        let queue = self.queue
        let thread = Thread { queue.loop() }
        thread.name = name
        thread.start()
    }

    deinit {
        queue.condition.lock()
        queue.stopped = true
        queue.condition.broadcast()
        queue.condition.unlock()
    }

    /// Runs `body` with this thread's session and waits for it. A session the
    /// token dropped (closed, invalid handle) is reopened once; the login is
    /// the token's and survives while the signer's control session lives.
    func run<T>(_ body: @escaping (PKCS11Session) throws(PKCS11Error) -> T) throws(PKCS11Error) -> T {
        nonisolated(unsafe) var result: Result<T, PKCS11Error>?
        let done = DispatchSemaphore(value: 0)
        queue.condition.lock()
        queue.jobs.append { [self] in
            do throws(PKCS11Error) {
                result = .success(try body(session))
            } catch  where error.isSessionLost {
                do throws(PKCS11Error) {
                    session = try PKCS11Session(module: session.module, slot: session.slot)
                    result = .success(try body(session))
                } catch {
                    result = .failure(error)
                }
            } catch {
                result = .failure(error)
            }
            done.signal()
        }
        queue.condition.signal()
        queue.condition.unlock()
        done.wait()
        return try result!.get()
    }
}

extension PKCS11Error {
    var isSessionLost: Bool {
        guard case .token(_, let rv) = code else { return false }
        return rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED
    }
}
