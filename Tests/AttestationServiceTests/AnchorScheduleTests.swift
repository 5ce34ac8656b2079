import Testing

@testable import AttestationService

/// The anchoring schedule with injected time: slot boundaries, buckets, the
/// machine's batch step on boundaries only, and the stall rule.
struct AnchorScheduleTests {
    let hourly = AnchorSchedule(interval: 3600, batchMax: 256, minimumLeaves: 8)

    @Test func slotsAreAlignedToTheEpochSoAnHourIsOnTheHour() {
        // 2026-11-28 05:37:21 UTC.
        let time = 1_795_844_241.0
        #expect(hourly.boundary(atOrBefore: time) == 1_795_842_000)  // 05:00:00
        #expect(hourly.boundary(after: time) == 1_795_845_600)  // 06:00:00
        // On a boundary: that boundary is the latest, the next one an hour on.
        #expect(hourly.boundary(atOrBefore: 1_795_845_600) == 1_795_845_600)
        #expect(hourly.boundary(after: 1_795_845_600) == 1_795_849_200)
        let quarter = AnchorSchedule(interval: 900)
        #expect(quarter.boundary(atOrBefore: time) == 1_795_843_800)  // 05:30:00
        #expect(AnchorSchedule(interval: 0).boundary(after: time) == nil)
    }

    /// Without slots a commit closes the full batches it committed (they
    /// would close at once anyway); with slots only the boundary closes one.
    @Test func commitsCloseFullBatchesOnlyWithoutSlots() {
        let noSlots = AnchorSchedule(interval: 0, batchMax: 256)
        #expect(noSlots.commitClaim == 512)
        #expect([0, 255, 256, 511, 512].map { noSlots.batchesClosedOnCommit(committed: $0) } == [0, 0, 1, 1, 2])
        #expect(AnchorSchedule(interval: 0, batchMax: 4096).commitClaim == 4096)
        #expect(hourly.commitClaim == 512)
        #expect(hourly.batchesClosedOnCommit(committed: 4096) == 0)
        #expect(AnchorSchedule(interval: 3600, batchMax: 4096).commitClaim == 512)
    }

    @Test func bucketsArePowersOfTwoFromTheMinimumCappedAtBatchMax() {
        #expect(
            [1, 2, 7, 8, 9, 16, 17, 100, 129, 256].map(hourly.bucket(forRealLeaves:))
                == [8, 8, 8, 8, 16, 16, 32, 128, 256, 256])
        #expect(hourly.fillerCount(forRealLeaves: 1) == 7)
        #expect(hourly.fillerCount(forRealLeaves: 256) == 0)
        #expect(hourly.bucketSizes == [8, 16, 32, 64, 128, 256])
        // A batch-max that is no power of two is a bucket of its own.
        let forty = AnchorSchedule(batchMax: 40, minimumLeaves: 8)
        #expect(forty.bucketSizes == [8, 16, 32, 40])
        #expect(forty.bucket(forRealLeaves: 33) == 40)
        // A minimum above batch-max: every batch shows batch-max.
        #expect(AnchorSchedule(batchMax: 4, minimumLeaves: 8).bucket(forRealLeaves: 1) == 4)
        // No fillers: the count is the count.
        let none = AnchorSchedule(batchMax: 5, minimumLeaves: 0)
        #expect((1...5).map(none.fillerCount(forRealLeaves:)) == [0, 0, 0, 0, 0])
        #expect(none.bucketSizes == [1, 2, 3, 4, 5])
        // Every real count within batch-max lands in a listed bucket and fits.
        for realLeaves in 1...256 {
            let bucket = hourly.bucket(forRealLeaves: realLeaves)
            #expect(hourly.bucketSizes.contains(bucket) && bucket >= realLeaves)
        }
    }

    @Test func withoutSlotsBatchMaxOrBatchWaitCloses() {
        let schedule = AnchorSchedule(interval: 0, batchMax: 10, batchWait: 5)
        #expect(!schedule.closesWithoutSlot(waiting: 0, oldest: 0, now: 100))
        #expect(!schedule.closesWithoutSlot(waiting: 3, oldest: 98, now: 100))
        #expect(schedule.closesWithoutSlot(waiting: 3, oldest: 95, now: 100))
        #expect(schedule.closesWithoutSlot(waiting: 10, oldest: 100, now: 100))
    }

    @Test func durationsParseAsOperatorsWriteThem() {
        #expect(AnchorSchedule.parseDuration("1h") == 3600)
        #expect(AnchorSchedule.parseDuration("15m") == 900)
        #expect(AnchorSchedule.parseDuration("30s") == 30)
        #expect(AnchorSchedule.parseDuration("90") == 90)
        #expect(AnchorSchedule.parseDuration("0") == 0)
        #expect(AnchorSchedule.parseDuration("1d") == 86_400)
        #expect(AnchorSchedule.parseDuration("2.5m") == 150)
        #expect(AnchorSchedule.parseDuration("500ms") == 0.5)
        for bad in ["", "h", "-1h", "1w", "1 h 2", "one", "1e3", "inf", "nan"] {
            #expect(AnchorSchedule.parseDuration(bad) == nil, "\(bad)")
        }
    }

    // MARK: - The machine

    func machine(interval: Double, now: Double) -> WorkerMachine {
        var settings = WorkerMachine.Settings(sweepInterval: 30, poll: 0.25)
        settings.anchorSchedule = AnchorSchedule(interval: interval, batchMax: 16, minimumLeaves: 8)
        return WorkerMachine(settings: settings, now: now)
    }

    func batchActions(_ actions: [WorkerAction]) -> [WorkerAction] {
        actions.filter { $0.step == .batch }
    }

    @Test func batchesCloseOnlyOnSlotBoundariesNeverInBetween() {
        var machine = machine(interval: 10, now: 1003)
        // Started mid-slot: no batch before the next boundary, whatever is committed.
        #expect(batchActions(machine.tick(now: 1003)).isEmpty)
        for step in WorkerStep.allCases { machine.completed(step, now: 1003) }
        for time in stride(from: 1003.25, to: 1010, by: 0.25) {
            #expect(batchActions(machine.tick(now: time)).isEmpty, "closed at \(time)")
            for step in WorkerStep.allCases where step != .batch { machine.completed(step, now: time) }
        }
        // The loop sleeps no longer than to the boundary.
        #expect(machine.nextWake(now: 1009.5) <= 0.5)
        // The boundary passes: everything committed by 1010 goes into the slot's batch(es).
        #expect(batchActions(machine.tick(now: 1010.01)) == [.closeBatches(slot: 1010)])
        // More than batch-max waited: closed again at once, same slot.
        machine.completed(.batch, now: 1010.2, more: true)
        #expect(batchActions(machine.tick(now: 1010.2)) == [.closeBatches(slot: 1010)])
        // Nothing left: the next run is at the next boundary.
        machine.completed(.batch, now: 1010.4)
        for time in stride(from: 1010.5, to: 1020, by: 0.5) {
            #expect(batchActions(machine.tick(now: time)).isEmpty, "closed at \(time)")
        }
        #expect(batchActions(machine.tick(now: 1020)) == [.closeBatches(slot: 1020)])
    }

    @Test func aLateOrFailedCloseStillCutsAtItsSlotsBoundary() {
        var machine = machine(interval: 10, now: 995)
        _ = machine.tick(now: 995)
        // The pass that closes runs late (a slow step before it): the cut is still 1000.
        #expect(batchActions(machine.tick(now: 1003.7)) == [.closeBatches(slot: 1000)])
        // It fails: the retry after the back-off still cuts at 1000 while in that slot.
        machine.failed(.batch, .database("connection"), now: 1003.8)
        #expect(batchActions(machine.tick(now: 1004)).isEmpty)  // backing off
        #expect(batchActions(machine.tick(now: 1004.4)) == [.closeBatches(slot: 1000)])
        // A pass that wakes only after the next boundary cuts at that boundary.
        machine.failed(.batch, .database("connection"), now: 1004.5)
        #expect(batchActions(machine.tick(now: 1011)) == [.closeBatches(slot: 1010)])
    }

    @Test func withoutSlotsTheBatchStepPollsAsBefore() {
        var machine = machine(interval: 0, now: 1003)
        #expect(batchActions(machine.tick(now: 1003)) == [.closeBatches(slot: nil)])
        machine.completed(.batch, now: 1003)
        #expect(batchActions(machine.tick(now: 1003.3)) == [.closeBatches(slot: nil)])
    }

    @Test func commitmentsWaitingForTheirSlotAreNoStall() {
        var machine = machine(interval: 3600, now: 0)
        machine.census([.committed: 5], now: 0)
        // Beyond --stall-after (300 s) but within a slot: waiting, not stalled.
        #expect(!machine.stall(now: 3000).isStalled)
        #expect(!machine.stall(now: 3899).isStalled)
        // A slot and --stall-after with nothing moving: stalled.
        let stall = machine.stall(now: 3901)
        #expect(stall.isStalled)
        #expect(stall.since == 3900)
    }
}
