import Foundation

/// Wakes the worker loop early (a notification arrived) or after a delay.
///
/// Each wait's timer may end only that wait, and only by running out: a
/// timer cancelled because the wait ended early leaves nothing behind. (It
/// once called `signal()` on cancellation too, so every early wake left a
/// pending wake for the next wait, which then returned at once and left
/// another: the lanes spun through timers and tasks for as long as they had
/// something due soon.)
final class WakeSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = false
    private var continuation: CheckedContinuation<Void, Never>?
    /// Which wait the continuation belongs to, so a late timer cannot end a later wait.
    private var waiting: UInt64 = 0
    /// A wait whose timer ran out before the wait had parked.
    private var expired: UInt64?

    func signal() {
        let resumed: CheckedContinuation<Void, Never>? = lock.withLock {
            if let continuation {
                self.continuation = nil
                return continuation
            }
            pending = true
            return nil
        }
        resumed?.resume()
    }

    /// A wake is stored for the next wait (a signal came while none waited).
    var hasPendingWake: Bool { lock.withLock { pending } }

    func wait(upTo delay: Duration) async {
        let id: UInt64 = lock.withLock {
            waiting &+= 1
            return waiting
        }
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: delay)) != nil else { return }  // cancelled: the wait is over
            self?.expire(id)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow: Bool = lock.withLock {
                if pending || expired == id {
                    pending = false
                    return true
                }
                self.continuation = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        timer.cancel()
        await timer.value
    }

    /// The timer of wait `id` ran out: it ends that wait if it still waits.
    private func expire(_ id: UInt64) {
        let resumed: CheckedContinuation<Void, Never>? = lock.withLock {
            guard waiting == id else { return nil }
            guard let continuation else {
                expired = id
                return nil
            }
            self.continuation = nil
            return continuation
        }
        resumed?.resume()
    }
}
