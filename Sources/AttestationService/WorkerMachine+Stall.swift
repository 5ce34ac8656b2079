/// Whether the worker is stalled: attestations wait and none has reached a
/// final state (nor has any transaction moved) for `stallAfter` seconds.
public struct StallStatus: Sendable, Hashable {
    /// When the stall began; nil when not stalled.
    public var since: Double?
    public var reason: StallReason?
    /// What the reason refers to, in words with no data (an error's class, a ceiling).
    public var detail: String?
    public var lastProgressAt: Double
    /// Attestations not yet final.
    public var waiting: Int

    public var isStalled: Bool { since != nil }
}

/// Progress as the census and the steps report it.
struct ProgressTracker: Sendable, Hashable {
    var lastProgressAt: Double
    var settled: Int?
    var waiting = 0

    init(startedAt: Double) {
        lastProgressAt = startedAt
    }

    mutating func progressed(at now: Double) {
        lastProgressAt = max(lastProgressAt, now)
    }

    /// Counts per state from the database (every daemon's work shows there).
    mutating func census(_ counts: [AttestationStatus: Int], now: Double) {
        let settledNow = (counts[.confirmed] ?? 0) + (counts[.failed] ?? 0)
        waiting = counts.filter { !$0.key.isFinal }.values.reduce(0, +)
        if let settled, settledNow != settled { progressed(at: now) }
        if waiting == 0 { progressed(at: now) }
        settled = settledNow
    }
}

extension WorkerMachine {
    /// The census step's answer; `took` is how long it ran (see `routineRun`).
    public mutating func census(_ counts: [AttestationStatus: Int], now: Double, took: Double = 0) {
        completed(.census, now: now, took: took)
        progress.census(counts, now: now)
    }

    /// The stall signal now, with the most likely reason.
    public func stall(now: Double) -> StallStatus {
        var status = StallStatus(
            since: nil, reason: nil, detail: nil, lastProgressAt: progress.lastProgressAt,
            waiting: progress.waiting)
        // Commitments waiting for their slot are not stuck: a slot's length is added.
        let patience = settings.stallAfter + settings.anchorSchedule.interval
        guard progress.waiting > 0, now - progress.lastProgressAt >= patience else { return status }
        // Waiting by the operator's choice (the budget, the anchor spacing) is
        // not a stall; a step failing meanwhile still is.
        if budgetWait != nil, !schedules.values.contains(where: { $0.failures > 0 }) { return status }
        status.since = progress.lastProgressAt + patience
        (status.reason, status.detail) = stallReason()
        return status
    }

    private func stallReason() -> (StallReason, String?) {
        switch signingBlock {
        case .aboveCeiling(let detail)?: return (.feeCeiling, detail)
        case .insufficientFunds(let detail)?: return (.balance, detail)
        case nil: break
        }
        // The failing step nearest the chain is the likeliest cause.
        for step in [WorkerStep.track, .sign, .lease, .batch, .commit, .sweep, .intake, .census] {
            guard let schedule = schedules[step], schedule.failures > 0, let fault = schedule.lastFault else {
                continue
            }
            if step == .commit, case .other = fault { return (.failingCase, fault.detail) }
            return (fault.stallReason, fault.detail)
        }
        if lease == .notHeld { return (.lease, "another process holds the signer lease") }
        return (.unknown, nil)
    }
}
