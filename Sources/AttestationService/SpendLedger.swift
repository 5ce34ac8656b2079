import Ethereum
import Foundation
import Postgres

/// What the signer's transactions cost, read from the database: the day's
/// ledger the budget decides on (the worker) and shows (`caseattest status`),
/// and the average cost of attesting. The rules of what counts are
/// SpendingBudget's; these queries only add up the rows.
public enum SpendLedger {
    /// Still in flight: signed, possibly sent, not mined. Their worst case counts.
    static let inFlightStatuses: StaticString = "('signed', 'submitted')"

    /// A mined row's fee: from its receipt; a row mined before migration
    /// 0010 recorded none and counts at its worst case.
    static let minedFee: StaticString = "coalesce(gas_used * effective_gas_price, gas_limit::numeric * max_fee_per_gas)"

    /// The ledger of the day `day` (real seconds since the epoch) for one signer.
    public static func read(
        chainID: UInt64, signer: Address, day: Range<Double>, on connection: PostgresConnection
    ) throws -> SpendingBudget.Ledger {
        let (chain, address) = (Int64(chainID), Hex.encodePrefixed(signer.bytes))
        let (start, end) = (Date(timeIntervalSince1970: day.lowerBound), Date(timeIntervalSince1970: day.upperBound))
        let row = try connection.query(
            """
            SELECT
                coalesce(sum(gas_limit::numeric * max_fee_per_gas) FILTER (WHERE status IN \
            \(unescaped: inFlightStatuses)), 0)::text AS in_flight,
                coalesce(sum(\(unescaped: minedFee)) FILTER (WHERE status NOT IN \(unescaped: inFlightStatuses)
                    AND mined_hash IS NOT NULL AND coalesce(mined_at, updated_at) >= \(start)
                    AND coalesce(mined_at, updated_at) < \(end)), 0)::text AS mined
            FROM attestation_transaction
            WHERE chain_id = \(chain) AND signer = \(address)
              AND (status IN \(unescaped: inFlightStatuses) OR (mined_at >= \(start) AND mined_at < \(end))
                   OR (mined_at IS NULL AND mined_hash IS NOT NULL AND updated_at >= \(start)))
            """
        ).rows[0]
        // The newest anchor has the highest nonce: one step down the (chain, signer, nonce) index.
        let last = try connection.query(
            """
            SELECT created_at FROM attestation_transaction
            WHERE chain_id = \(chain) AND signer = \(address) AND purpose = 'anchor'
            ORDER BY nonce DESC LIMIT 1
            """
        ).rows.first
        return SpendingBudget.Ledger(
            mined: try UInt256(decimal: try row.decode(String.self, "mined")),
            inFlight: try UInt256(decimal: try row.decode(String.self, "in_flight")),
            lastAnchorAt: try last?.decode(Date.self, "created_at").timeIntervalSince1970)
    }

    /// What attesting cost over the last `days` days.
    public struct Cost: Sendable, Hashable {
        /// Fees of anchors (reverted ones too) and cancels mined in the window.
        public var total: UInt256
        /// Batches confirmed by an anchor mined in the window, and their real cases (fillers are not cases).
        public var batches: Int
        public var cases: Int

        public var perBatch: UInt256? { batches > 0 ? total / UInt256(UInt64(batches)) : nil }
        public var perCase: UInt256? { cases > 0 ? total / UInt256(UInt64(cases)) : nil }
    }

    public static func cost(
        chainID: UInt64, signer: Address, days: Int, now: Date = Date(), on connection: PostgresConnection
    ) throws -> Cost {
        let since = now.addingTimeInterval(-Double(days) * 86_400)
        let row = try connection.query(
            """
            SELECT coalesce(sum(\(unescaped: minedFee)), 0)::text AS total,
                count(b.id) AS batches, coalesce(sum(b.leaf_count - b.filler_count), 0)::bigint AS cases
            FROM attestation_transaction t
            LEFT JOIN attestation_batch b ON b.id = t.batch_id AND b.status = 'confirmed'
                AND t.status IN ('confirmed', 'final')
            WHERE t.chain_id = \(Int64(chainID)) AND t.signer = \(Hex.encodePrefixed(signer.bytes))
              AND t.purpose IN ('anchor', 'cancel') AND t.mined_hash IS NOT NULL
              AND coalesce(t.mined_at, t.updated_at) >= \(since)
            """
        ).rows[0]
        return Cost(
            total: try UInt256(decimal: try row.decode(String.self, "total")),
            batches: try row.decode(Int.self, "batches"), cases: try row.decode(Int.self, "cases"))
    }
}
