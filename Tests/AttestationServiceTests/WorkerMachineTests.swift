import Testing

@testable import AttestationService

/// The worker's state machine with no I/O: events and time in, actions out.
struct WorkerMachineTests {
    let settings = WorkerMachine.Settings(sweepInterval: 30, poll: 0.25)

    /// A machine that holds the lease with nonces reconciled, at time 100.
    func signerMachine() -> WorkerMachine {
        var machine = WorkerMachine(settings: settings, now: 100)
        _ = machine.tick(now: 100)
        machine.leaseObserved(epoch: 1, now: 100)
        _ = machine.tick(now: 100)
        machine.noncesReconciled(now: 100)
        for step in WorkerStep.allCases { machine.completed(step, now: 100) }
        return machine
    }

    @Test func withoutTheLeaseOnlyTheDatabaseStepsRun() {
        var machine = WorkerMachine(settings: settings, now: 0)
        let actions = machine.tick(now: 0)
        #expect(actions == [.sweep, .commit, .closeBatches(slot: nil), .checkLease, .census])
        machine.leaseObserved(epoch: nil, now: 0)
        #expect(machine.lease == .notHeld)
        for step in WorkerStep.allCases { machine.completed(step, now: 0) }
        #expect(!machine.tick(now: 5).contains { $0.step.needsLease })
    }

    @Test func aNewEpochReconcilesNoncesBeforeAnySigning() {
        var machine = WorkerMachine(settings: settings, now: 0)
        _ = machine.tick(now: 0)
        machine.leaseObserved(epoch: 7, now: 0)
        let next = machine.tick(now: 0)
        #expect(next.contains(.reconcileNonces))
        #expect(!next.contains { if case .signBatches = $0 { return true } else { return false } })
        machine.noncesReconciled(now: 0)
        machine.completed(.lease, now: 0)
        machine.completed(.track, now: 0)
        let signing = machine.tick(now: 1)
        #expect(signing.contains(.signBatches(onHold: [])))
        #expect(signing.contains(.track))
        // Another acquisition (another daemon signed meanwhile): reconcile again.
        machine.leaseObserved(epoch: 8, now: 2)
        #expect(machine.lease == .held(epoch: 8, reconciled: false))
        #expect(machine.tick(now: 2).contains(.reconcileNonces))
    }

    @Test func aFailingStepBacksOffAloneAndTheOthersKeepTheirSchedule() {
        var machine = signerMachine()
        _ = machine.tick(now: 101)
        for _ in 1...4 { machine.failed(.commit, .other("CaseDocument"), now: 101) }
        machine.completed(.track, now: 101)
        machine.completed(.sign, now: 101)
        machine.completed(.batch, now: 101)
        // 4 s of back-off: the commit waits; tracking and signing go on.
        let actions = machine.tick(now: 102.2)
        #expect(!actions.contains(.commit))
        #expect(actions.contains(.track))
        #expect(actions.contains(.signBatches(onHold: [])))
        #expect(actions.contains(.closeBatches(slot: nil)))
    }

    @Test func backOffGrowsAndIsBounded() {
        let backoff = Backoff(base: 0.5, maximum: 30)
        #expect((1...8).map { backoff.delay(afterFailures: $0) } == [0.5, 1, 2, 4, 8, 16, 30, 30])
        var machine = WorkerMachine(settings: settings, now: 0)
        _ = machine.tick(now: 0)
        for failure in 1...10 {
            machine.failed(.track, .node("transport"), now: 0)
            #expect(machine.failures(of: .track) == failure)
        }
        machine.completed(.track, now: 50)
        #expect(machine.failures(of: .track) == 0)
    }

    @Test func noticesStayUntilStored() {
        var machine = WorkerMachine(settings: settings, now: 0)
        machine.noticed([3, 1, 2])
        #expect(machine.tick(now: 0).first == .storeNotices([1, 2, 3]))
        machine.stored([1])
        machine.failed(.intake, .database("connection-failed"), now: 0)
        #expect(machine.notices == [2, 3])
        #expect(!machine.tick(now: 0.1).contains(.storeNotices([2, 3])))
        #expect(machine.tick(now: 1).contains(.storeNotices([2, 3])))
    }

    @Test func aListenerReconnectSweepsAtOnce() {
        var machine = WorkerMachine(settings: settings, now: 0)
        _ = machine.tick(now: 0)
        machine.completed(.sweep, now: 0)
        #expect(!machine.tick(now: 5).contains(.sweep))
        machine.listenerConnected(now: 6)
        #expect(machine.tick(now: 6).contains(.sweep))
    }

    @Test func withoutAutomaticIntakeThereIsNoSweepNorNotice() {
        var manual = settings
        manual.automaticIntake = false
        var machine = WorkerMachine(settings: manual, now: 0)
        machine.noticed([1])
        machine.listenerConnected(now: 0)
        let actions = machine.tick(now: 0)
        #expect(!actions.contains(.sweep) && !actions.contains(.storeNotices([1])))
    }

    @Test func aBatchWhoseAnchorWouldRevertWaitsWithAGrowingBackOff() {
        var machine = signerMachine()
        machine.anchorWouldRevert(batchID: 9, now: 100)
        #expect(machine.batchesOnHold(now: 120) == [9])
        #expect(machine.batchesOnHold(now: 131).isEmpty)
        machine.anchorWouldRevert(batchID: 9, now: 131)
        #expect(machine.batchesOnHold(now: 180) == [9])
        #expect(machine.batchesOnHold(now: 192).isEmpty)
        let actions = machine.tick(now: 150)
        #expect(actions.contains(.signBatches(onHold: [9])))
        machine.batchSigned(9)
        #expect(machine.batchesOnHold(now: 150).isEmpty)
    }

    @Test func nonceUsedElsewhereNeedsConsistentEvidence() {
        var machine = signerMachine()
        // A lagging node's single answer is not enough, nor three in one second.
        let answer1 = machine.nonceUsedElsewhere(transactionID: 1, head: 50, now: 100)
        #expect(!answer1)
        let answer2 = machine.nonceUsedElsewhere(transactionID: 1, head: 50, now: 100.5)
        #expect(!answer2)
        let answer3 = machine.nonceUsedElsewhere(transactionID: 1, head: 51, now: 101)
        #expect(!answer3)
        // Seen mined meanwhile: the evidence starts again.
        machine.transactionSeen(1)
        let answer4 = machine.nonceUsedElsewhere(transactionID: 1, head: 52, now: 102)
        #expect(!answer4)
        let answer5 = machine.nonceUsedElsewhere(transactionID: 1, head: 53, now: 104)
        #expect(!answer5)
        let answer6 = machine.nonceUsedElsewhere(transactionID: 1, head: 54, now: 108)
        #expect(answer6)
    }

    @Test func ceilingWarningsAreThrottledPerTransaction() {
        var machine = signerMachine()
        let answer7 = machine.shouldWarnAtCeiling(transactionID: 1, now: 100)
        #expect(answer7)
        let answer8 = machine.shouldWarnAtCeiling(transactionID: 1, now: 130)
        #expect(!answer8)
        let answer9 = machine.shouldWarnAtCeiling(transactionID: 2, now: 130)
        #expect(answer9)
        let answer10 = machine.shouldWarnAtCeiling(transactionID: 1, now: 161)
        #expect(answer10)
    }

    // MARK: - Stall signal

    @Test func aStallIsDeclaredWhenWorkWaitsAndNothingMoves() {
        var machine = signerMachine()
        machine.census([.batched: 10, .confirmed: 5], now: 100)
        #expect(!machine.stall(now: 399).isStalled)
        let answer11 = machine.signingBlocked(.aboveCeiling("the network needs more"))
        #expect(answer11)
        machine.census([.batched: 10, .confirmed: 5], now: 400)
        let stall = machine.stall(now: 401)
        #expect(stall.isStalled)
        #expect(stall.reason == .feeCeiling)
        #expect(stall.waiting == 10)
        // Something confirmed: no longer stalled.
        machine.census([.batched: 4, .confirmed: 11], now: 410)
        #expect(!machine.stall(now: 411).isStalled)
    }

    @Test func theStallReasonIsTheFailingStepNearestTheChain() {
        var machine = signerMachine()
        machine.census([.submitted: 3], now: 100)
        machine.failed(.commit, .other("CaseDocument"), now: 390)
        machine.failed(.track, .node("transport"), now: 395)
        #expect(machine.stall(now: 401).reason == .node)
        machine.completed(.track, now: 402)
        #expect(machine.stall(now: 403).reason == .failingCase)
    }

    /// A census that took 4 s (a large table) waits 40 s, not its 10 s
    /// interval; a quick one keeps the interval.
    @Test func aSlowCensusIsSpacedByItsOwnCost() {
        var machine = signerMachine()
        machine.census([.committed: 1], now: 100, took: 4)
        #expect(!machine.tick(now: 139).contains(.census))
        #expect(machine.tick(now: 140).contains(.census))
        machine.census([.committed: 1], now: 140, took: 0.01)
        #expect(!machine.tick(now: 149).contains(.census))
        #expect(machine.tick(now: 150).contains(.census))
    }

    /// The census has a lane of its own: a commit never waits behind it,
    /// and the commits' lane never hands it out.
    @Test func theCensusRunsOnItsOwnLane() {
        var machine = signerMachine()
        machine.census([.committed: 1], now: 100, took: 4)
        let database = machine.tick(now: 140, lane: .database)
        #expect(database.contains(.commit) && !database.contains(.census))
        #expect(machine.tick(now: 140, lane: .census) == [.census])
        #expect(WorkerStep.allCases.filter { $0.lane == .census } == [.census])
    }

    @Test func nothingWaitingIsNeverAStall() {
        var machine = signerMachine()
        machine.census([.confirmed: 5, .failed: 1], now: 100)
        #expect(!machine.stall(now: 10_000).isStalled)
    }

    @Test func aLostLeaseStopsChainStepsAndNamesTheReason() {
        var machine = signerMachine()
        machine.census([.signed: 2], now: 100)
        _ = machine.tick(now: 101)
        machine.failed(.track, .leaseLost, now: 101)
        #expect(machine.lease == .notHeld)
        for step in WorkerStep.allCases { machine.completed(step, now: 102) }
        #expect(!machine.tick(now: 103).contains(.track))
        #expect(machine.stall(now: 500).reason == .lease)
    }

    /// The happy path as a sequence: intake, commit, batch, lease, reconcile,
    /// sign, track, over time.
    @Test func aFirstRunGoesThroughEveryStepInOrder() {
        var machine = WorkerMachine(settings: settings, now: 0)
        machine.noticed([42])
        #expect(
            machine.tick(now: 0) == [
                .storeNotices([42]), .sweep, .commit, .closeBatches(slot: nil), .checkLease, .census,
            ])
        machine.stored([42])
        machine.completed(.intake, now: 0)
        machine.completed(.sweep, now: 0)
        machine.completed(.commit, now: 0, more: true)
        machine.completed(.batch, now: 0)
        machine.leaseObserved(epoch: 1, now: 0)
        machine.census([.requested: 1], now: 0)
        // Tracking may run before reconciliation; signing may not.
        #expect(machine.tick(now: 0.01) == [.commit, .checkLease, .reconcileNonces, .track, .checkBalance])
        machine.completed(.commit, now: 0.01)
        machine.leaseObserved(epoch: 1, now: 0.01)
        machine.noncesReconciled(now: 0.01)
        machine.completed(.track, now: 0.01)
        machine.completed(.balance, now: 0.01)
        #expect(machine.tick(now: 0.3) == [.commit, .closeBatches(slot: nil), .signBatches(onHold: [])])
        machine.completed(.commit, now: 0.3)
        machine.completed(.batch, now: 0.3, more: true)
        machine.completed(.sign, now: 0.3)
        #expect(machine.tick(now: 1.1) == [.commit, .closeBatches(slot: nil), .checkLease, .track])
    }

    /// Each lane's loop asks for its own steps: the chain's are never handed
    /// to the database lane (or the reverse), and one lane's tick leaves the
    /// other's steps due.
    @Test func eachLaneGetsItsOwnStepsAndLeavesTheOthersDue() {
        var machine = signerMachine()
        let database = machine.tick(now: 101.5, lane: .database)
        #expect(database == [.commit])
        #expect(database.allSatisfy { $0.step.lane == .database })
        // Batches have their own lane: a close runs beside a commit.
        #expect(machine.tick(now: 101.5, lane: .batching) == [.closeBatches(slot: nil)])
        let chain = machine.tick(now: 101.5, lane: .chain)
        #expect(chain == [.checkLease, .signBatches(onHold: []), .track])
        // Both ran: neither is handed out again until reported.
        #expect(machine.tick(now: 101.6).isEmpty)
        // The chain lane sleeps until its own next step, not the database's.
        machine.completed(.commit, now: 101.6)
        machine.completed(.batch, now: 101.6)
        machine.completed(.lease, now: 101.6)
        machine.completed(.sign, now: 101.6)
        machine.completed(.track, now: 101.6)
        #expect(machine.nextWake(now: 101.6, lane: .database) == 0.25)
        #expect(machine.nextWake(now: 101.6, lane: .batching) == 0.25)
        #expect(abs(machine.nextWake(now: 101.6, lane: .chain) - 1) < 1e-9)
    }

    /// A closed batch makes signing due at once; a signing step backing off
    /// after failures keeps its back-off.
    @Test func aClosedBatchIsSignedAtOnceUnlessSigningBacksOff() {
        var machine = signerMachine()
        _ = machine.tick(now: 101, lane: .chain)
        machine.completed(.sign, now: 101)
        machine.completed(.lease, now: 101)
        machine.completed(.track, now: 101)
        #expect(machine.tick(now: 101.1, lane: .chain).isEmpty)
        machine.batchClosed(now: 101.1)
        #expect(machine.tick(now: 101.1, lane: .chain) == [.signBatches(onHold: [])])
        machine.failed(.sign, .node("down"), now: 101.2)
        machine.batchClosed(now: 101.3)
        #expect(machine.tick(now: 101.3, lane: .chain).isEmpty)
    }
}
