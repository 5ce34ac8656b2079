import Testing

@testable import AttestationService

/// The worker's lanes park on a `WakeSignal` between passes. A wake must be
/// used once: a wait ended early must leave no wake behind, or the next wait
/// returns at once and the lane spins.
struct WakeSignalTests {
    @Test(.timeLimit(.minutes(1)))
    func aWaitEndedByASignalLeavesNoWakeBehind() async {
        let signal = WakeSignal()
        for _ in 0..<50 {
            let waiter = Task { await signal.wait(upTo: .seconds(600)) }
            signal.signal()
            await waiter.value
            // The wait's timer was cancelled and has finished: it must not have signalled.
            #expect(!signal.hasPendingWake)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aSignalWithNobodyWaitingEndsTheNextWaitOnce() async {
        let signal = WakeSignal()
        signal.signal()
        #expect(signal.hasPendingWake)
        await signal.wait(upTo: .seconds(600))  // returns at once, or the time limit fails the test
        #expect(!signal.hasPendingWake)
    }

    @Test(.timeLimit(.minutes(1)))
    func aWaitWithNoSignalEndsWhenItsTimeRunsOut() async {
        let signal = WakeSignal()
        for _ in 0..<20 { await signal.wait(upTo: .milliseconds(1)) }
        #expect(!signal.hasPendingWake)
    }
}
