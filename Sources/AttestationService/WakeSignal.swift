import Foundation

/// Wakes the worker loop early (a notification arrived) or after a delay.
final class WakeSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = false
    private var continuation: CheckedContinuation<Void, Never>?
    private var signals = 0

    func signal() {
        let waiting: CheckedContinuation<Void, Never>? = lock.withLock {
            signals += 1
            if let continuation {
                self.continuation = nil
                return continuation
            }
            pending = true
            return nil
        }
        waiting?.resume()
    }

    /// Whether a signal waits to end the next `wait` at once (for tests).
    var isPending: Bool { lock.withLock { pending } }

    /// Signals so far, from notices and timers alike (for tests).
    var signalCount: Int { lock.withLock { signals } }

    func wait(upTo delay: Duration) async {
        let timer = Task { [weak self] in
            // A cancelled timer must not signal: that wake would end the next
            // wait at once, whose cancelled timer would end the one after, and
            // the loop would spin (and pile up dispatch timers) for good.
            guard (try? await Task.sleep(for: delay)) != nil else { return }
            self?.signal()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow: Bool = lock.withLock {
                if pending {
                    pending = false
                    return true
                }
                self.continuation = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        timer.cancel()
        // Once the timer has ended, nothing of this wait can signal any more;
        // a signal from elsewhere before here is covered by the coming pass.
        await timer.value
        lock.withLock { pending = false }
    }
}
