import Attestation
import Ethereum
import Foundation
import Postgres
import Testing

@testable import AttestationService

/// The daemon's and the verifier's hot statements, run for real on a table
/// of 100,000 cases and attestations: none reads the big tables sequentially
/// (PostgreSQL's own scan counters, flushed after each step, say so). The
/// one statement that scans on purpose, the sweep's request of cases with no
/// attestation at all (one anti-join, the backfill path), is not among them.
struct HotQueryPlanTests {
    static let cases = 100_000

    @Test(.timeLimit(.minutes(10)))
    func hotStatementsUseIndexesOnAHundredThousandRows() async throws {
        guard let scratch = try await ScratchDatabase.create(prefix: "caseattest_plans_") else { return }
        try await scratch.use { scratch in
            try await scratch.migrate()
            try await scratch.pool.withConnection { connection in
                try fill(connection)
                let key = try PseudonymKey(bytes: [UInt8](repeating: 9, count: 32))
                let contract = try Address(hex: "0x" + String(repeating: "11", count: 20))
                let now = Date()

                try expectIndexOnly("commit: claim 512 requests, read their cases", connection) {
                    let result = try connection.transaction {
                        try PipelineStore.commitRequested(limit: 512, key: key, now: now, on: $0)
                    }
                    #expect(result.committed == 500)
                }
                try expectIndexOnly("batch: claim committed attestations", connection) {
                    let batch = try connection.transaction {
                        try PipelineStore.closeBatch(
                            schedule: AnchorSchedule(batchMax: 4096, batchWait: 0), slot: nil,
                            chainID: 1337, contract: contract, now: now, on: $0)
                    }
                    #expect(batch?.leafCount == 800)
                }
                try expectIndexOnly("sweep: failures due for a retry", connection) {
                    let requeued = try connection.transaction {
                        try PipelineStore.requeueDueFailures(now: now, limit: 1000, on: $0)
                    }
                    #expect(requeued == 200)
                }
                try expectIndexOnly("sweep: one window of fingerprints", connection) {
                    // The fill's fingerprints are not the cases' own: every case has changed.
                    let window = try PipelineStore.casesChangedSinceAttested(
                        after: 50_000, scan: 5_000, limit: 500,
                        on: connection)
                    #expect(window.changed.count == 500)
                }
                try expectIndexOnly("verify: one page of cases", connection) {
                    let page = try VerifierRows.load(
                        VerificationSelection(), after: 60_000, limit: 5_000, on: connection)
                    #expect(page.attested.count == 5_000)
                    #expect(page.snapshots.count == 5_000)
                }
                try expectIndexOnly("verify: one page of a counsellor's cases (read by id)", connection) {
                    let page = try VerifierRows.load(
                        VerificationSelection(counsellorID: 3), after: nil, limit: 5_000, on: connection)
                    #expect(page.attested.count == 5_000)
                    #expect(page.snapshots.count == 5_000)
                }
                try expectIndexOnly("verify: one case", connection) {
                    let one = try VerifierRows.load(
                        VerificationSelection(caseID: 777), after: nil, limit: 5_000,
                        on: connection)
                    #expect(one.attested.map(\.record.caseID) == [777])
                }
                try expectIndexOnly("reconcile: each batch's rows and tombstones", connection) {
                    // Two tombstones in batch 2 (an erased row keeps its batch, nothing linkable). The
                    // vacuum lets the rows be counted from their index alone, as autovacuum would.
                    try connection.simpleExecute(
                        """
                        UPDATE caseattest.attestation SET erased_at = now(), salt = NULL, attested_document = NULL,
                            content_hash = NULL, leaf = NULL, leaf_index = NULL, proof = NULL
                        WHERE case_id IN (4001, 4002)
                        """)
                    try connection.simpleExecute("VACUUM caseattest.attestation")
                    let fetchedBefore = try rowsFetchedByIndex(connection)
                    let batches = try Reconciler.storedBatches(
                        chainID: 1337, contract: contract.lowercased, on: connection)
                    #expect(batches.count == 26)  // the 25 filled and the one batched above
                    #expect(batches.values.map(\.rows).reduce(0, +) == 99_800)
                    #expect(batches.values.first { $0.id == 2 }?.tombstones == 2)
                    #expect(batches.values.filter { $0.id != 2 }.allSatisfy { $0.tombstones == 0 })
                    // The tombstones come from the index of erased rows, not from reading each batch's rows.
                    let fetched = try rowsFetchedByIndex(connection) - fetchedBefore
                    #expect(fetched < 1_000, "counting tombstones fetched \(fetched) attestation rows")
                }
                try expectIndexOnly("confirm: a batch's attestations, published", connection) {
                    let inclusion = TrackedTransaction.Inclusion(
                        hash: [UInt8](repeating: 7, count: 32), blockNumber: 1002,
                        blockHash: [UInt8](repeating: 8, count: 32), succeeded: true)
                    try connection.transaction {
                        try SeedRecord.confirm(batch: 3, inclusion, attestedAt: now, on: $0)
                    }
                }
                #expect(try published(connection) == 99_000)
                try expectIndexOnly("reorg: withdraw a batch's attestations", connection) {
                    try connection.transaction { try SeedRecord.withdraw(batch: 3, on: $0) }
                }
                #expect(try published(connection) == 95_000)

                // A backfill half done: most rows requested, at the highest
                // ids, and the statistics know it. The claim must still go
                // straight to the requests, not walk the confirmed rows first.
                try connection.simpleExecute(
                    """
                    UPDATE caseattest.attestation SET status = 'requested'
                    WHERE case_id > 40000 AND status = 'confirmed';
                    ANALYZE caseattest.attestation
                    """)
                let fetchedBefore = try rowsFetchedByIndex(connection)
                try expectIndexOnly("commit: claim 512 of 59,000 requests", connection) {
                    let result = try connection.transaction {
                        try PipelineStore.commitRequested(limit: 512, key: key, now: now, on: $0)
                    }
                    #expect(result.committed == 512)
                }
                let fetched = try rowsFetchedByIndex(connection) - fetchedBefore
                #expect(fetched < 5_000, "the claim fetched \(fetched) attestation rows for 512 requests")
            }
        }
    }

    /// 1,000 users, 100,000 resolved cases with 3 appointments each, and an
    /// attestation per case: most confirmed in 25 batches (and published),
    /// one batch mined, some requested, committed or failed.
    private func fill(_ connection: PostgresConnection) throws {
        let n = Self.cases
        try connection.simpleExecute(
            """
            INSERT INTO users (email, hashed_password, role)
            SELECT 'u' || g || '@example.test', 'x', CASE WHEN g <= 10 THEN 'counsellor' ELSE 'user' END
            FROM generate_series(1, 1000) g;
            INSERT INTO cases (user_id, counsellor_id, status, risk_level_at_creation, created_at, resolved_at)
            SELECT 11 + g % 990, 1 + g % 10, 'resolved', g % 4, now() - interval '60 days', now() - interval '1 day'
            FROM generate_series(1, \(n)) g;
            INSERT INTO appointments (case_id, user_id, counsellor_id, scheduled_at, status, location_type)
            SELECT c.id, c.user_id, c.counsellor_id, c.created_at + k * interval '1 day', 'completed', 'online'
            FROM cases c, generate_series(1, 3) k;
            INSERT INTO caseattest.attestation_batch (id, root, leaf_count, status, chain_id, contract_address)
            SELECT g, '0x' || lpad(to_hex(g), 64, '0'), 4000, 'confirmed', 1337, '0x' || repeat('11', 20)
            FROM generate_series(1, 25) g;
            SELECT setval(pg_get_serial_sequence('caseattest.attestation_batch', 'id'), 25);
            INSERT INTO caseattest.attestation (case_id, version, status, content_hash, salt, batch_id, leaf_index, \
            leaf,
                proof, chain_id, contract_address, tx_hash, block_number, attested_at, source_fingerprint, retry_at)
            SELECT c.id, 1,
                   CASE WHEN c.id <= 99000 THEN 'confirmed' WHEN c.id <= 99500 THEN 'requested'
                        WHEN c.id <= 99800 THEN 'committed' ELSE 'failed' END,
                   CASE WHEN c.id <= 99800 AND c.id > 99500 OR c.id <= 99000 THEN '0x' || md5(c.id::text) || md5('x' \
            || c.id)
                   END,
                   CASE WHEN c.id <= 99000 THEN decode(md5(c.id::text) || md5('s' || c.id), 'hex') END,
                   CASE WHEN c.id <= 99000 THEN 1 + (c.id - 1) / 4000 END,
                   CASE WHEN c.id <= 99000 THEN (c.id - 1) % 4000 END,
                   CASE WHEN c.id <= 99000 THEN '0x' || md5('l' || c.id) || md5('m' || c.id) END,
                   CASE WHEN c.id <= 99000 THEN '[]'::jsonb END,
                   1337, '0x' || repeat('11', 20),
                   CASE WHEN c.id <= 99000 THEN '0x' || md5('t' || ((c.id - 1) / 4000)) || md5('u') END,
                   CASE WHEN c.id <= 99000 THEN 1000 + (c.id - 1) / 4000 END,
                   CASE WHEN c.id <= 99000 THEN now() END,
                   md5(c.id::text),
                   CASE WHEN c.id > 99800 THEN now() - interval '1 minute' END
            FROM cases c;
            -- Batch 3 is mined, not yet confirmed: its case rows still say batched (the test confirms it).
            UPDATE caseattest.attestation_batch SET status = 'mined' WHERE id = 3;
            UPDATE caseattest.attestation SET status = 'batched', tx_hash = NULL, block_number = NULL,
                attested_at = NULL
            WHERE batch_id = 3;
            -- Confirmed attestations are published.
            INSERT INTO public.caseattestation (id, case_id, counsellor_id, content_hash, tx_hash, attested_at)
            SELECT id, case_id, counsellor_id, content_hash, tx_hash, attested_at FROM caseattest.attestation
            WHERE status = 'confirmed' AND batch_id <> 3;
            UPDATE caseattest.attestation SET record_id = id WHERE status = 'confirmed' AND batch_id <> 3;
            SELECT setval(pg_get_serial_sequence('public.caseattestation', 'id'), 100000);
            ANALYZE
            """)
    }

    private func published(_ connection: PostgresConnection) throws -> Int64 {
        try connection.query("SELECT count(*) AS n FROM public.caseattestation")[0].decode(Int64.self, "n")
    }

    /// Runs `body`, then reads PostgreSQL's scan counters of the big tables:
    /// no sequential scan may have been added.
    private func expectIndexOnly(_ what: String, _ connection: PostgresConnection, _ body: () throws -> Void) throws {
        let before = try sequentialScans(connection)
        try body()
        let after = try sequentialScans(connection)
        for (table, count) in after {
            #expect(count == before[table], "\(what): \(count - (before[table] ?? 0)) sequential scans of \(table)")
        }
    }

    /// Rows of `attestation` fetched through any of its indexes so far.
    private func rowsFetchedByIndex(_ connection: PostgresConnection) throws -> Int64 {
        try connection.query("SELECT pg_stat_force_next_flush()")
        try connection.query("SELECT pg_stat_clear_snapshot()")
        return try connection.query(
            """
            SELECT idx_tup_fetch AS n FROM pg_stat_user_tables
            WHERE schemaname = 'caseattest' AND relname = 'attestation'
            """
        )[0].decode(Int64.self, "n")
    }

    private func sequentialScans(_ connection: PostgresConnection) throws -> [String: Int64] {
        // This session's counts reach the shared statistics when it goes
        // idle after asking; the snapshot is then read afresh.
        try connection.query("SELECT pg_stat_force_next_flush()")
        try connection.query("SELECT pg_stat_clear_snapshot()")
        var scans: [String: Int64] = [:]
        for row in try connection.query(
            """
            SELECT schemaname || '.' || relname AS name, seq_scan FROM pg_stat_user_tables
            WHERE (schemaname, relname) IN (('caseattest', 'attestation'), ('public', 'cases'),
                                            ('public', 'appointments'), ('public', 'caseattestation'))
            """)
        {
            scans[try row.decode(String.self, "name")] = try row.decode(Int64.self, "seq_scan")
        }
        return scans
    }
}
