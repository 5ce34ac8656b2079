/// The worker as a value: events and the current time in, actions out. It
/// owns every decision of the daemon's loop (which step runs when, back-offs
/// after failures, the signer lease and nonce reconciliation, the pricing
/// gate, when "nonce used elsewhere" is believed, when a stall is declared);
/// `AttestationWorker` only runs the actions and reports what happened.
/// Time is always passed in, never read, so tests drive it step by step.
public struct WorkerMachine: Sendable {
    public struct Settings: Sendable, Hashable {
        /// Seconds between runs of a step that has nothing urgent to do.
        public var intervals: [WorkerStep: Double]
        /// After a step fails: 0.5 s, 1 s, 2 s, ... up to 30 s.
        public var failureBackoff = Backoff(base: 0.5, maximum: 30)
        /// A batch whose anchor would revert (registry paused, signer not an
        /// attester) waits 30 s, 60 s, ... up to 10 min before the next try.
        public var revertBackoff = Backoff(base: 30, maximum: 600)
        /// Work waits and nothing moved for this long: the worker is stalled.
        public var stallAfter: Double = 300
        public var automaticIntake = true
        public var nonceEvidence = NonceEvidence.Policy()
        /// One warning per transaction per this many seconds at the ceiling.
        public var ceilingWarningEvery: Double = 60
        /// When batches close: with slots, the batch step runs only on slot
        /// boundaries (AnchorSchedule.swift).
        public var anchorSchedule = AnchorSchedule()
        /// Whether a new anchor may be signed now (SpendingBudget.swift).
        public var spendingBudget = SpendingBudget()
        /// While new anchors wait for the budget, signing is reconsidered this
        /// often (an anchor in flight may be mined for less than its worst case).
        public var budgetRecheck: Double = 15

        public init(sweepInterval: Double = 30, poll: Double = 0.25) {
            intervals = [
                .intake: poll, .sweep: sweepInterval, .commit: poll, .batch: poll, .lease: 1, .sign: 1,
                .track: 1, .balance: 60, .census: 10,
            ]
        }
    }

    public enum LeaseState: Sendable, Hashable {
        case unknown
        case notHeld
        /// Held under `epoch`; nonces reconciled for that epoch or not yet.
        case held(epoch: Int64, reconciled: Bool)
    }

    /// Why new signing waits (tracking goes on regardless).
    public enum SigningBlock: Sendable, Hashable {
        case aboveCeiling(String)
        case insufficientFunds(String)
    }

    struct HeldBatch: Sendable, Hashable {
        var until: Double
        var failures: Int
    }

    struct Schedule: Sendable, Hashable {
        var due: Double = 0
        var failures = 0
        var lastFault: WorkerFault?
    }

    public let settings: Settings
    private(set) var schedules: [WorkerStep: Schedule] = [:]
    /// Notified case ids not yet stored as requests.
    public private(set) var notices: Set<Int64> = []
    public private(set) var lease: LeaseState = .unknown
    // Set by the extensions in WorkerMachine+Chain.swift (same type, other file).
    public internal(set) var signingBlock: SigningBlock?
    /// Set while new anchors wait for the budget or the spacing (WorkerMachine+Budget.swift).
    public internal(set) var budgetWait: BudgetWait?
    var heldBatches: [Int64: HeldBatch] = [:]
    var nonceEvidence: [Int64: NonceEvidence] = [:]
    var ceilingWarnedAt: [Int64: Double] = [:]
    var progress: ProgressTracker
    /// Where the sweep's next windows of cases start.
    public private(set) var sweepCursor = SweepCursor()

    public init(settings: Settings, now: Double) {
        self.settings = settings
        for step in WorkerStep.allCases { schedules[step] = Schedule(due: now) }
        // Not at start-up: a restart must not close a batch between two boundaries.
        if let first = settings.anchorSchedule.boundary(after: now) { schedules[.batch] = Schedule(due: first) }
        if !settings.automaticIntake { schedules[.sweep] = Schedule(due: .infinity) }
        progress = ProgressTracker(startedAt: now)
    }

    // MARK: - The loop

    /// What to run now, in order: of one lane, or of both when `lane` is nil.
    /// Steps not due are left out; chain steps only while this process holds
    /// the signer lease.
    public mutating func tick(now: Double, lane: WorkerStep.Lane? = nil) -> [WorkerAction] {
        var actions: [WorkerAction] = []
        if settings.automaticIntake, !notices.isEmpty, isDue(.intake, now) {
            actions.append(.storeNotices(notices.sorted()))
        }
        if settings.automaticIntake, isDue(.sweep, now) { actions.append(.sweep) }
        if isDue(.commit, now) { actions.append(.commit) }
        if isDue(.batch, now) { actions.append(.closeBatches(slot: settings.anchorSchedule.boundary(atOrBefore: now))) }
        let leaseDue = isDue(.lease, now)
        if leaseDue { actions.append(.checkLease) }
        if case .held(_, let reconciled) = lease {
            if !reconciled {
                if leaseDue { actions.append(.reconcileNonces) }
            } else if isDue(.sign, now) {
                actions.append(.signBatches(onHold: batchesOnHold(now: now)))
            }
            if isDue(.track, now) { actions.append(.track) }
            if isDue(.balance, now) { actions.append(.checkBalance) }
        }
        if isDue(.census, now) { actions.append(.census) }
        if let lane { actions.removeAll { $0.step.lane != lane } }
        for action in actions { schedules[action.step, default: Schedule()].due = .infinity }  // until reported
        return actions
    }

    /// Seconds until the next step (of `lane`, or of any) is due: the loop
    /// sleeps at most this long, and wakes earlier on a notice.
    public func nextWake(now: Double, lane: WorkerStep.Lane? = nil) -> Double {
        var earliest = Double.infinity
        for (step, schedule) in schedules where lane == nil || step.lane == lane {
            if step.needsLease, case .held = lease {} else if step.needsLease { continue }
            if step == .intake, notices.isEmpty { continue }
            earliest = min(earliest, schedule.due)
        }
        return max(0, min(earliest - now, 5))
    }

    /// When a step with nothing urgent left runs next: batches at the next
    /// slot boundary when there are slots, every step else after its interval.
    private func routineRun(of step: WorkerStep, after now: Double, took: Double) -> Double {
        // The census reads every attestation row: spaced by its own duration.
        if step == .census { return now + FullScan.wait(interval: settings.intervals[step] ?? 1, took: took) }
        if step == .batch, let boundary = settings.anchorSchedule.boundary(after: now) { return boundary }
        // The spacing ends at a known time; the budget may free up sooner (a cheaper mined fee).
        if step == .sign, let wait = budgetWait {
            return wait.reason == .interval ? wait.until : min(wait.until, now + settings.budgetRecheck)
        }
        return now + (settings.intervals[step] ?? 1)
    }

    private func isDue(_ step: WorkerStep, _ now: Double) -> Bool {
        (schedules[step]?.due ?? 0) <= now
    }

    /// The sweep went through a window of cases; the next ones start at `cursor`.
    public mutating func swept(to cursor: SweepCursor) {
        sweepCursor = cursor
    }

    /// A step finished. `more`: it left work it could do at once (a full
    /// commit or a batch closed), so it runs again without waiting.
    /// `progressed`: something moved forward.
    /// `took`: how long the step ran, for a step spaced by its own cost.
    public mutating func completed(
        _ step: WorkerStep, now: Double, more: Bool = false, progressed: Bool = false, took: Double = 0
    ) {
        var schedule = schedules[step] ?? Schedule()
        schedule.failures = 0
        schedule.lastFault = nil
        schedule.due = more ? now : routineRun(of: step, after: now, took: took)
        schedules[step] = schedule
        if progressed { progress.progressed(at: now) }
    }

    /// A batch was closed: signing it is due at once (the chain lane is
    /// woken), not at its next routine run; a signing step backing off after
    /// failures keeps its back-off.
    public mutating func batchClosed(now: Double) {
        guard var schedule = schedules[.sign], schedule.failures == 0 else { return }
        schedule.due = min(schedule.due, now)
        schedules[.sign] = schedule
    }

    /// A step failed: it alone backs off; every other step keeps its schedule.
    public mutating func failed(_ step: WorkerStep, _ fault: WorkerFault, now: Double) {
        var schedule = schedules[step] ?? Schedule()
        schedule.failures += 1
        schedule.lastFault = fault
        schedule.due = now + settings.failureBackoff.delay(afterFailures: schedule.failures)
        schedules[step] = schedule
        if fault == .leaseLost { lease = .notHeld }
    }

    /// Consecutive failures of a step (0 when its last run succeeded).
    public func failures(of step: WorkerStep) -> Int { schedules[step]?.failures ?? 0 }

    // MARK: - Intake

    /// A case became resolved or closed (LISTEN/NOTIFY).
    public mutating func noticed(_ caseIDs: [Int64]) {
        guard settings.automaticIntake else { return }
        notices.formUnion(caseIDs)
    }

    /// These notices are stored requests now; the others stay pending.
    public mutating func stored(_ caseIDs: [Int64]) {
        notices.subtract(caseIDs)
    }

    /// The listener (re)connected: notices may have been lost meanwhile, so
    /// the sweep runs at once.
    public mutating func listenerConnected(now: Double) {
        guard settings.automaticIntake else { return }
        schedules[.sweep, default: Schedule()].due = min(schedules[.sweep]?.due ?? now, now)
    }

    // MARK: - Lease

    /// The lease check's answer: the epoch this process holds, or nil.
    public mutating func leaseObserved(epoch: Int64?, now: Double) {
        completed(.lease, now: now)
        guard let epoch else {
            lease = .notHeld
            return
        }
        if case .held(let held, let reconciled) = lease, held == epoch {
            lease = .held(epoch: epoch, reconciled: reconciled)
        } else {
            // A new epoch: another daemon may have signed meanwhile.
            lease = .held(epoch: epoch, reconciled: false)
            schedules[.lease, default: Schedule()].due = now
            for step in [WorkerStep.sign, .track, .balance] { schedules[step, default: Schedule()].due = now }
        }
    }

    public mutating func noncesReconciled(now: Double) {
        if case .held(let epoch, _) = lease { lease = .held(epoch: epoch, reconciled: true) }
        progress.progressed(at: now)
    }

    public var holdsLease: Bool {
        if case .held = lease { return true }
        return false
    }
}

/// What the worker runs.
public enum WorkerAction: Sendable, Hashable {
    case storeNotices([Int64])
    case sweep
    case commit
    /// Close batches of what was committed by `slot` (a boundary, seconds
    /// since the epoch); nil: no slots, the batch-max/batch-wait rule decides.
    case closeBatches(slot: Double?)
    case checkLease
    case reconcileNonces
    /// Price, estimate and sign the waiting batches except those on hold.
    case signBatches(onHold: Set<Int64>)
    case track
    case checkBalance
    case census

    public var step: WorkerStep {
        switch self {
        case .storeNotices: return .intake
        case .sweep: return .sweep
        case .commit: return .commit
        case .closeBatches: return .batch
        case .checkLease, .reconcileNonces: return .lease
        case .signBatches: return .sign
        case .track: return .track
        case .checkBalance: return .balance
        case .census: return .census
        }
    }
}
