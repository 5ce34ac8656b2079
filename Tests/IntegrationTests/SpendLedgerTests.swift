import AttestationService
import Ethereum
import Foundation
import Postgres
import Testing

/// What the spending budget adds up, on real PostgreSQL rows (no chain): the
/// day's mined fees by when they were mined, in-flight transactions at their
/// worst case (a replacement set is one row, at its newest max fee), reverted
/// ones paid, released nonces free, rows from before migration 0010 at their
/// worst case; and the 7-day cost per batch and per real case.
struct SpendLedgerTests {
    static let signer = "0x00000000000000000000000000000000000000aa"
    static let other = "0x00000000000000000000000000000000000000bb"

    @Test func theLedgerCountsWhatTheBudgetSays() async throws {
        guard let scratch = try await ScratchDatabase.create(prefix: "caseattest_spend_") else { return }
        try await scratch.use { scratch in
            try await scratch.migrate()
            let day = 1_795_824_000.0  // 2026-11-28 00:00:00 UTC
            @Sendable func at(_ seconds: Double) -> Date { Date(timeIntervalSince1970: day + seconds) }
            try await scratch.pool.withConnection { connection in
                for signer in [Self.signer, Self.other] {
                    try connection.query(
                        "INSERT INTO attestation_signer (chain_id, signer, next_nonce) VALUES (1337, \(signer), 10)")
                }
                let confirmedBatch = try Self.batch(leaves: 8, fillers: 5, on: connection)
                let olderBatch = try Self.batch(leaves: 4, fillers: 0, on: connection)
                // Mined today: 50,000 gas at 10 wei.
                try Self.transaction(
                    nonce: 1, purpose: "anchor", status: "final", batch: confirmedBatch, mined: (50_000, 10, at(100)),
                    on: connection)
                // In flight after two replacements: one row, at its newest max fee (30 wei), 100,000 gas limit.
                try Self.transaction(
                    nonce: 2, purpose: "anchor", status: "submitted", gasLimit: 100_000, maxFee: 30,
                    created: at(500), on: connection)
                // A reverted cancel pays too.
                try Self.transaction(
                    nonce: 3, purpose: "cancel", status: "failed", mined: (21_000, 10, at(200)), on: connection)
                // A nonce another transaction used: nothing of ours was mined.
                try Self.transaction(nonce: 4, purpose: "anchor", status: "failed", on: connection)
                // An operator's transaction mined yesterday: not today's.
                try Self.transaction(
                    nonce: 5, purpose: "admin", status: "confirmed", mined: (100_000, 10, at(-10)), on: connection)
                // Mined before migration 0010 (no fee recorded): its worst case, 1,000 gas x 7 wei.
                try Self.transaction(
                    nonce: 6, purpose: "anchor", status: "final", batch: olderBatch, gasLimit: 1000, maxFee: 7,
                    preMigration: at(300), created: at(50), on: connection)
                // Another signer's spend is not ours.
                try Self.transaction(
                    signer: Self.other, nonce: 1, purpose: "anchor", status: "submitted", gasLimit: 100_000,
                    maxFee: 1000, on: connection)
            }
            let signer = try Address(hex: Self.signer)
            let (ledger, cost) = try await scratch.pool.withConnection { connection in
                (
                    try SpendLedger.read(chainID: 1337, signer: signer, day: day..<(day + 86_400), on: connection),
                    try SpendLedger.cost(
                        chainID: 1337, signer: signer, days: 7, now: at(86_400), on: connection)
                )
            }
            #expect(ledger.mined == UInt256(500_000 + 210_000 + 7000))
            #expect(ledger.inFlight == UInt256(3_000_000))
            // The newest anchor by nonce (nonce 6, signed at +50 s), not the latest created.
            #expect(ledger.lastAnchorAt == day + 50)
            // Anchors and cancels, not the operator's; confirmed batches and their real cases only.
            #expect(cost.total == UInt256(500_000 + 210_000 + 7000))
            #expect(cost.batches == 2)
            #expect(cost.cases == 3 + 4)
            #expect(cost.perBatch == UInt256(717_000 / 2))
            #expect(cost.perCase == UInt256(717_000 / 7))
        }
    }

    static func batch(leaves: Int, fillers: Int, on connection: PostgresConnection) throws -> Int64 {
        let root = "0x" + (0..<64).map { _ in String("0123456789abcdef".randomElement() ?? "0") }.joined()
        return try connection.query(
            """
            INSERT INTO attestation_batch (root, leaf_count, status, chain_id, contract_address, filler_count,
                filler_leaves)
            VALUES (\(root), \(leaves), 'confirmed', 1337, '0x00000000000000000000000000000000000000cc', \(fillers),
                \([UInt8](repeating: 7, count: 32 * fillers)))
            RETURNING id
            """
        ).rows[0].decode(Int64.self, "id")
    }

    static func transaction(
        signer: String = signer, nonce: Int64, purpose: String, status: String, batch: Int64? = nil,
        gasLimit: Int64 = 90_000, maxFee: Int64 = 20, mined: (gas: Int64, price: Int64, at: Date)? = nil,
        preMigration: Date? = nil, created: Date = Date(timeIntervalSince1970: 1_795_824_000),
        on connection: PostgresConnection
    ) throws {
        let hash = String(format: "0x%062llx%02x", nonce, signer == other ? 1 : 0)
        let minedHash = mined != nil || preMigration != nil ? hash : nil
        try connection.query(
            """
            INSERT INTO attestation_transaction (chain_id, signer, nonce, purpose, status, raw, tx_hash, gas_limit,
                max_fee_per_gas, max_priority_fee_per_gas, batch_id, mined_hash, gas_used, effective_gas_price,
                mined_at, created_at, updated_at)
            VALUES (1337, \(signer), \(nonce), \(purpose), \(status), \([UInt8]([1])), \(hash),
                \(gasLimit), \(PostgresValue.numeric(String(maxFee))), 1, \(batch), \(minedHash), \(mined?.gas),
                \(mined.map { PostgresValue.numeric(String($0.price)) }), \(mined?.at), \(created),
                \(preMigration ?? mined?.at ?? created))
            """)
    }
}
