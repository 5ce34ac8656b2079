import Ethereum
import Foundation
import Logging
import Postgres

/// The spending budget's I/O: the day's ledger from the database, the
/// machine's answer, one log line when new anchors start and stop waiting,
/// the metrics and the heartbeat columns `caseattest status` reads.
extension AttestationWorker {
    var budget: SpendingBudget { configuration.spendingBudget }

    /// The signer's spend in the budget's current UTC day (zero when no budget or spacing applies).
    func readLedger() async throws -> SpendingBudget.Ledger {
        guard budget.isActive else { return SpendingBudget.Ledger() }
        let (chainID, address, day) = (configuration.chainID, signer, budget.day(containing: now()))
        let ledger = try await database.transaction { connection in
            try SpendLedger.read(chainID: chainID, signer: address, day: day, on: connection)
        }
        recordBudgetMetrics(ledger)
        return ledger
    }

    /// The machine's gate for a new anchor costing at most `nextAnchor` (nil: not priced yet).
    func mayAnchor(_ ledger: SpendingBudget.Ledger, nextAnchor: UInt256?) -> Bool {
        let time = now()
        let (sign, change) = machine.withLock { $0.mayAnchor(ledger, nextAnchor: nextAnchor, now: time) }
        report(change, ledger: ledger)
        return sign
    }

    /// Nothing waits to be signed: a wait, if any, is over.
    func nothingToAnchor() {
        report(machine.withLock { $0.nothingWaits() }, ledger: nil)
    }

    private func report(_ change: WorkerMachine.BudgetChange?, ledger: SpendingBudget.Ledger?) {
        metrics.budgetReached.record(machine.withLock { $0.budgetReached } ? 1 : 0)
        guard let change else { return }
        let limit = budget.limitPerDay.map { SpendingBudget.formatAmount($0) } ?? "none"
        switch change {
        case .waiting(let wait):
            var metadata: Logger.Metadata = [
                "reason": "\(wait.reason.rawValue)",
                "until": "\(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: wait.until)))",
                "limit_per_day": "\(limit)",
            ]
            if let ledger {
                metadata["spent_today"] = "\(SpendingBudget.formatAmount(ledger.mined))"
                metadata["in_flight_worst_case"] = "\(SpendingBudget.formatAmount(ledger.inFlight))"
            }
            let message: Logger.Message =
                wait.reason == .interval
                ? "new anchors wait for --min-anchor-interval; batches are kept"
                : """
                new anchors wait: the daily spending budget is reached; batches are kept, transactions in flight \
                are still followed
                """
            logger.log(level: wait.reason == .interval ? .info : .warning, message, metadata: metadata)
        case .resumed(let wait):
            logger.info(
                "new anchors resume", metadata: ["waited_for": "\(wait.reason.rawValue)", "limit_per_day": "\(limit)"])
        }
    }

    func recordBudgetMetrics(_ ledger: SpendingBudget.Ledger) {
        metrics.budgetSpentTodayGwei.record(ledger.mined.gwei)
        metrics.budgetInFlightGwei.record(ledger.inFlight.gwei)
        metrics.budgetLimitGwei.record(budget.limitPerDay?.gwei ?? 0)
    }

    /// The census's share: fresh numbers for the metrics, and what the
    /// heartbeat row tells `caseattest status` (the limit, the wait).
    func budgetHeartbeat() async throws -> (limit: String?, interval: Double?, wait: WorkerMachine.BudgetWait?) {
        let wait = machine.withLock { $0.budgetWait }
        if budget.limitPerDay != nil { _ = try await readLedger() }
        metrics.budgetReached.record(machine.withLock { $0.budgetReached } ? 1 : 0)
        return (
            budget.limitPerDay?.description, budget.minimumInterval > 0 ? budget.minimumInterval : nil, wait
        )
    }
}

extension UInt256 {
    /// For gauges: gwei as a Double (rounded as a Double is; the ledger itself stays exact).
    var gwei: Double { Double(description).map { $0 / 1e9 } ?? .infinity }
}
