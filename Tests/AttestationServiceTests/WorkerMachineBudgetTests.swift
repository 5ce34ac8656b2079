import Ethereum
import Testing

@testable import AttestationService

/// The machine's gate on new anchors: a wait plans the sign step around it,
/// is said once, ends when the budget allows (at midnight at the latest),
/// and is not a stall.
struct WorkerMachineBudgetTests {
    /// 2026-11-28 23:00:00 UTC: an hour before midnight.
    static let lateEvening: Double = 1_795_906_800
    static let midnight = lateEvening + 3600

    func machine(limit: UInt256?, interval: Double = 0) -> WorkerMachine {
        var settings = WorkerMachine.Settings(sweepInterval: 30, poll: 0.25)
        settings.spendingBudget = SpendingBudget(limitPerDay: limit, minimumInterval: interval)
        settings.stallAfter = 300
        let now = Self.lateEvening
        var machine = WorkerMachine(settings: settings, now: now)
        _ = machine.tick(now: now)
        machine.leaseObserved(epoch: 1, now: now)
        _ = machine.tick(now: now)
        machine.noncesReconciled(now: now)
        for step in WorkerStep.allCases { machine.completed(step, now: now) }
        return machine
    }

    func signs(_ actions: [WorkerAction]) -> Bool {
        actions.contains { if case .signBatches = $0 { return true } else { return false } }
    }

    @Test func aReachedBudgetHoldsSigningSaysItOnceAndResumesAtMidnight() {
        var machine = machine(limit: UInt256(100))
        let full = SpendingBudget.Ledger(mined: UInt256(80), inFlight: UInt256(15))
        var now = Self.lateEvening + 1
        #expect(signs(machine.tick(now: now)))
        let first = machine.mayAnchor(full, nextAnchor: UInt256(10), now: now)
        #expect(!first.sign)
        #expect(first.change == .waiting(.init(reason: .budget, until: Self.midnight, since: now)))
        #expect(machine.budgetReached)
        machine.completed(.sign, now: now)
        // Looked at again every budgetRecheck seconds, said only once.
        #expect(!signs(machine.tick(now: now + 10)))
        now += 15
        #expect(signs(machine.tick(now: now)))
        let again = machine.mayAnchor(full, nextAnchor: UInt256(10), now: now)
        #expect(!again.sign && again.change == nil)
        // An unpriced look that passes does not end the wait (no flapping in the log).
        let unpriced = machine.mayAnchor(SpendingBudget.Ledger(mined: UInt256(80)), nextAnchor: nil, now: now)
        #expect(unpriced.sign && unpriced.change == nil && machine.budgetWait != nil)
        machine.completed(.sign, now: now)
        // Midnight: the new day's ledger holds only what is in flight.
        #expect(signs(machine.tick(now: Self.midnight)))
        let resumed = machine.mayAnchor(
            SpendingBudget.Ledger(inFlight: UInt256(15)), nextAnchor: UInt256(10), now: Self.midnight)
        #expect(resumed.sign)
        #expect(
            resumed.change == .resumed(after: .init(reason: .budget, until: Self.midnight, since: Self.lateEvening + 1))
        )
        #expect(machine.budgetWait == nil && !machine.budgetReached)
    }

    @Test func theSignStepIsPlannedForTheEndOfAnIntervalWait() {
        var machine = machine(limit: nil, interval: 600)
        let now = Self.lateEvening + 5
        _ = machine.tick(now: now)
        let waiting = machine.mayAnchor(
            SpendingBudget.Ledger(lastAnchorAt: Self.lateEvening), nextAnchor: UInt256(1), now: now)
        #expect(!waiting.sign)
        #expect(waiting.change == .waiting(.init(reason: .interval, until: Self.lateEvening + 600, since: now)))
        #expect(!machine.budgetReached)  // spacing is not the budget
        machine.completed(.sign, now: now)
        // Nothing but time ends the spacing: the sign step is due exactly when it does.
        #expect(!signs(machine.tick(now: Self.lateEvening + 599.9)))
        #expect(signs(machine.tick(now: Self.lateEvening + 600)))
    }

    @Test func nothingToSignEndsAWait() {
        var machine = machine(limit: UInt256(10))
        let now = Self.lateEvening + 1
        _ = machine.tick(now: now)
        _ = machine.mayAnchor(SpendingBudget.Ledger(mined: UInt256(10)), nextAnchor: nil, now: now)
        #expect(machine.budgetReached)
        #expect(machine.nothingWaits() != nil)
        #expect(machine.budgetWait == nil)
        #expect(machine.nothingWaits() == nil)
    }

    @Test func waitingForTheBudgetIsNotAStallButAFailingStepStillIs() {
        var machine = machine(limit: UInt256(10))
        let now = Self.lateEvening + 1
        _ = machine.tick(now: now)
        machine.census([.batched: 8], now: now)
        _ = machine.mayAnchor(SpendingBudget.Ledger(mined: UInt256(10)), nextAnchor: nil, now: now)
        machine.completed(.sign, now: now)
        let later = now + 3000
        #expect(!machine.stall(now: later).isStalled)
        machine.failed(.track, .node("transport"), now: later)
        #expect(machine.stall(now: later).reason == .node)
    }

    @Test func withoutABudgetEveryAnchorMaySign() {
        var machine = machine(limit: nil)
        let now = Self.lateEvening + 1
        let answer = machine.mayAnchor(
            SpendingBudget.Ledger(mined: UInt256.max), nextAnchor: UInt256.max, now: now)
        #expect(answer.sign && answer.change == nil)
    }
}
