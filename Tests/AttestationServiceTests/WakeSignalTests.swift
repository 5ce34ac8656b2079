import Testing

@testable import AttestationService

/// The worker loop's wake-up: a wait ended by a notice must leave nothing
/// behind. Its timer, cancelled, once signalled anyway: that ended the next
/// wait at once, whose cancelled timer ended the one after, and an idle
/// daemon spun for good (a fifth of a core, and a heap of dispatch timers).
struct WakeSignalTests {
    @Test func aWaitEndedByANoticeLeavesNoWakeBehind() async {
        let wake = WakeSignal()
        wake.signal()
        await wake.wait(upTo: .seconds(3600))  // ends at once: the notice was pending
        #expect(!wake.isPending)
        // Ends by its own timer, not by a stray wake from the first wait.
        await wake.wait(upTo: .milliseconds(50))
        #expect(wake.signalCount == 2, "the notice and the second wait's timer, nothing else")
        #expect(!wake.isPending)
    }

    @Test func aNoticeDuringThePassEndsTheNextWait() async {
        let wake = WakeSignal()
        await wake.wait(upTo: .milliseconds(1))
        wake.signal()  // a notice arrives while the loop works
        #expect(wake.isPending)
        await wake.wait(upTo: .seconds(3600))  // ends at once, else this test would hang
        #expect(!wake.isPending)
        #expect(wake.signalCount == 2)
    }
}
