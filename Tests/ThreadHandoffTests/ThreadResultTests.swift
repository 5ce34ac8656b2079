import Foundation
import Synchronization
import Testing
import ThreadHandoff

/// A thread outside the concurrency runtime writes memory and resumes the
/// waiting task. The first test resumes before the task has suspended, the
/// path on which the runtime tells ThreadSanitizer nothing: there, a bare
/// `withCheckedContinuation` makes `make test-sanitizers` report the task's
/// read as a data race, and `withThreadResult` must not.
@Suite struct ThreadResultTests {
    /// Written by the thread with plain, unsynchronised stores.
    final class Scratch: @unchecked Sendable {
        var value = 0
    }

    struct Refused: Error, Equatable {}

    @Test func resultReadyBeforeTheTaskSuspendsIsSeenWhole() async {
        for round in 1...50 {
            let scratch = Scratch()
            let value: Int = await withThreadResult { (result: ThreadResult<Int, Never>) in
                // Relaxed on both sides: this wait orders nothing for TSan,
                // so only the handoff itself can.
                let resumed = Atomic<Bool>(false)
                Thread {
                    scratch.value = round * 7
                    result.resume(returning: round)
                    resumed.store(true, ordering: .relaxed)
                }.start()
                while !resumed.load(ordering: .relaxed) { sched_yield() }
            }
            #expect(value == round)
            #expect(scratch.value == round * 7)
        }
    }

    @Test func resultAfterTheTaskSuspended() async {
        let scratch = Scratch()
        let value: String = await withThreadResult { (result: ThreadResult<String, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) {
                scratch.value = 42
                result.resume(returning: "late")
            }
        }
        #expect(value == "late")
        #expect(scratch.value == 42)
    }

    @Test func anErrorReachesTheTaskWithItsType() async {
        let outcome: Result<Int, Refused>
        do throws(Refused) {
            let value = try await withThreadResult { (result: ThreadResult<Int, Refused>) in
                Thread { result.resume(throwing: Refused()) }.start()
            }
            outcome = .success(value)
        } catch {
            outcome = .failure(error)
        }
        #expect(outcome == .failure(Refused()))
    }

    final class Rows: Sendable {}

    /// A resumer still held somewhere (a finished job in an executor's queue)
    /// must not keep the result alive: a verifier's pages would pile up.
    @Test func aResumerKeptAfterwardsDoesNotKeepTheResultAlive() async {
        var kept: ThreadResult<Rows, Never>?
        weak var released: Rows?
        do {
            let rows = await withThreadResult { (result: ThreadResult<Rows, Never>) in
                kept = result
                Thread { result.resume(returning: Rows()) }.start()
            }
            released = rows
            #expect(released != nil)
        }
        #expect(kept != nil)
        #expect(released == nil)
    }
}
