import Ethereum

/// The machine's gate on new anchors: the spending budget and the spacing
/// (SpendingBudget.swift decides; the machine remembers the wait, re-plans
/// the sign step around it and says when a wait begins and ends, once each).
extension WorkerMachine {
    public struct BudgetWait: Sendable, Hashable {
        public var reason: SpendingBudget.Reason
        /// When signing may go on at the latest (the budget: the next UTC midnight).
        public var until: Double
        public var since: Double
    }

    /// A change worth one log line (and the metric).
    public enum BudgetChange: Sendable, Hashable {
        case waiting(BudgetWait)
        case resumed(after: BudgetWait)
    }

    /// May a new anchor costing at most `nextAnchor` (nil: not priced yet)
    /// be signed now, given the day's `ledger`? A wait keeps the batch as it
    /// is (batches never fail for the budget) and plans the next sign step
    /// for when the wait ends, or sooner to look again (`budgetRecheck`).
    public mutating func mayAnchor(
        _ ledger: SpendingBudget.Ledger, nextAnchor: UInt256?, now: Double
    ) -> (sign: Bool, change: BudgetChange?) {
        switch settings.spendingBudget.decide(ledger, nextAnchor: nextAnchor, now: now) {
        case .sign:
            // Only a priced answer ends a wait: the unpriced look may pass
            // where the anchor's price then does not (no resumed/waiting flapping).
            return (true, nextAnchor == nil ? nil : nothingWaits())
        case .wait(let until, let reason):
            let previous = budgetWait
            let wait = BudgetWait(reason: reason, until: until, since: previous?.since ?? now)
            budgetWait = wait
            return (false, previous?.reason == reason ? nil : .waiting(wait))
        }
    }

    /// Nothing waits to be signed (or a new anchor was allowed): no wait.
    public mutating func nothingWaits() -> BudgetChange? {
        guard let previous = budgetWait else { return nil }
        budgetWait = nil
        return .resumed(after: previous)
    }

    /// True while new anchors wait for the budget itself (not for the spacing).
    public var budgetReached: Bool {
        switch budgetWait?.reason {
        case .budget?, .anchorAboveBudget?: return true
        case .interval?, nil: return false
        }
    }
}
