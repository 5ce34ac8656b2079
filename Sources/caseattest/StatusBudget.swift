import AttestationService
import Ethereum
import Foundation
import Postgres

/// `caseattest status`'s budget lines for one signer: the limit the signing
/// daemon applies (from its heartbeat row), the day's spend and what is in
/// flight (SpendLedger, the numbers the daemon decides on), whether new
/// anchors wait and until when, and what attesting cost over the last 7 days.
extension Status {
    func printBudget(
        chainID: UInt64, signer: Address, signingWorker: PostgresRow?, database: PostgresPool
    ) async throws {
        let limit = try signingWorker?.decode(String?.self, "budget_limit_wei").map { try UInt256(decimal: $0) }
        let interval = try signingWorker?.decode(Double?.self, "min_anchor_interval")
        let budget = SpendingBudget(
            limitPerDay: limit, minimumInterval: interval ?? 0, clockOffset: try TestClock.budgetOffset())
        let day = budget.day(containing: Date().timeIntervalSince1970)
        let (ledger, cost) = try await database.transaction { connection in
            (
                try SpendLedger.read(chainID: chainID, signer: signer, day: day, on: connection),
                try SpendLedger.cost(chainID: chainID, signer: signer, days: 7, on: connection)
            )
        }
        let amount = { (wei: UInt256) in SpendingBudget.formatAmount(wei) }
        let spacing = interval.map { ", at least \(Int($0)) s between anchors" } ?? ""
        let limitText = limit.map { "\(amount($0)) per UTC day" } ?? "no daily limit"
        // The limit is the running signer's (its heartbeat row); with none running there is no budget to show.
        print("  budget: " + (signingWorker == nil ? "unknown (no signing daemon running)" : limitText + spacing))
        print(
            """
              spent today \(amount(ledger.mined)) (mined), in flight \(amount(ledger.inFlight)) (worst case)\
            \(limit.map { ", left \(amount($0 > ledger.committed ? $0 - ledger.committed : .zero))" } ?? "")
            """)
        if let reason = try signingWorker?.decode(String?.self, "budget_wait_reason"),
            let until = try signingWorker?.decode(Date?.self, "budget_wait_until")
        {
            let what = reason == SpendingBudget.Reason.interval.rawValue ? "waiting" : "REACHED"
            print(
                "  budget \(what) (\(reason)): new anchors wait until \(ISO8601DateFormatter().string(from: until))")
        }
        let perBatch = cost.perBatch.map(amount) ?? "n/a"
        let perCase = cost.perCase.map(amount) ?? "n/a"
        print(
            """
              last 7 days: \(amount(cost.total)) for \(cost.batches) batches, \(cost.cases) cases: \
            \(perBatch) per batch, \(perCase) per case
            """)
    }
}
