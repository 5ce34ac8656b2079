import Foundation

/// Wakes the worker loop early (a notification arrived) or after a delay.
final class WakeSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = false
    private var continuation: CheckedContinuation<Void, Never>?

    func signal() {
        let waiting: CheckedContinuation<Void, Never>? = lock.withLock {
            if let continuation {
                self.continuation = nil
                return continuation
            }
            pending = true
            return nil
        }
        waiting?.resume()
    }

    func wait(upTo delay: Duration) async {
        let timer = Task { [weak self] in
            try? await Task.sleep(for: delay)
            self?.signal()
        }
        defer { timer.cancel() }
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
        lock.withLock { pending = false }
    }
}
