import Attestation
import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Testing

@testable import AttestationService

/// Erasure that sticks (issue 14): `forget` at every stage of the pipeline,
/// against the real daemon, PostgreSQL and dev chain. The pipeline's own
/// steps (commit, batch) run here in-process so each stage is reached
/// exactly; the daemon signs, sends and confirms.
struct ErasureTests {
    @Test func forgetAtEveryStageSticksBatchMatesVerifyAndReconciliationCountsTheTombstones() async throws {
        try await DaemonTestContext.run { context in
            let signer = try await context.makeSigner()
            let key = try PseudonymKey(contentsOfFile: signer.pseudonymKeyFile)
            // 0 requested, 1 committed, 2 batched, 3 failed, 4 confirmed, 5 signed; 6-7 batch mates.
            let cases = try await context.seedCases(8)
            let intake = AttestationIntake(
                database: context.database, pseudonymKey: key,
                logger: DaemonTestContext.quietLogger)
            for caseID in cases { _ = try await intake.request(caseID: caseID, source: "test") }
            // Case 3 fails at commit: it is no longer resolved.
            try await context.database.query("UPDATE cases SET status = 'in_progress' WHERE id = \(cases[3])")
            let erasure = AttestationErasure(database: context.database)

            try await erasure.forget(caseID: cases[0])  // requested
            let commit = try await context.database.transaction { connection in
                try PipelineStore.commitRequested(limit: 100, key: key, now: Date(), on: connection)
            }
            #expect(commit.claimed == 7, "the erased request is never claimed")
            #expect(commit.committed == 6)
            #expect(commit.failed.count == 1)
            let v2Rows = try await context.int(
                """
                SELECT count(*) AS n FROM attestation
                WHERE status = 'committed' AND schema_version = \(CaseDocument.schemaV2)
                """)
            #expect(v2Rows == 6, "new attestations are case document v2")
            try await erasure.forget(caseID: cases[1])  // committed
            try await erasure.forget(caseID: cases[3])  // failed
            let batch = try await context.database.transaction { connection in
                try PipelineStore.closeBatch(
                    schedule: AnchorSchedule(batchMax: 100, batchWait: 0), slot: nil,
                    chainID: TestEnvironment.chainID, contract: signer.contract, now: Date(),
                    on: connection)
            }
            #expect(batch?.leafCount == 5, "cases 2, 4, 5, 6, 7: never the erased 0 or 1")
            try await erasure.forget(caseID: cases[2])  // batched

            // Signed as the daemon signs (nonce from the table, bytes stored
            // before anything is sent), then forgotten before it is sent: the
            // daemon started below sends what it finds stored.
            let eth = try context.ethereum(signer.rpcURL)
            let pending = try await eth.transactionCount(of: signer.key.address, at: .pending)
            let signedID = try await context.database.transaction { connection -> Int64? in
                try connection.query(
                    """
                    INSERT INTO attestation_signer (chain_id, signer, next_nonce)
                    VALUES (\(Int64(TestEnvironment.chainID)), \(Hex.encodePrefixed(signer.key.address.bytes)), \
                    \(Int64(pending)))
                    """)
                guard let batch else { return nil }
                let row = try connection.query("SELECT root FROM attestation_batch WHERE id = \(batch.id)").rows[0]
                let pendingBatch = PipelineStore.PendingBatch(
                    id: batch.id, root: try Hex.decode(try row.decode(String.self, "root")), leafCount: batch.leafCount)
                let gwei = UInt256(1_000_000_000)
                return try PipelineStore.signBatch(
                    pendingBatch, signer: signer.key, chainID: TestEnvironment.chainID, contract: signer.contract,
                    fees: Fees(maxFeePerGas: gwei * UInt256(50), maxPriorityFeePerGas: gwei * UInt256(2)),
                    gasLimit: 300_000, now: Date(), on: connection)
            }
            #expect(signedID != nil, "the batch was signed")
            // Five rows show the batch's state: four and the tombstone of case 2.
            #expect(try await context.int("SELECT count(*) AS n FROM attestation_state WHERE status = 'signed'") == 5)
            try await erasure.forget(caseID: cases[5])  // signed

            let daemon = context.daemon(signer, options: DaemonOptions(confirmations: 1, sweepInterval: 1))
            try daemon.start()
            let confirmed = try await context.waitUntil("the batch confirmed", timeout: .seconds(120)) {
                try await context.int(
                    """
                    SELECT count(*) AS n FROM attestation_batch WHERE id = \(batch?.id ?? -1) AND status = 'confirmed'
                    """) == 1
            }
            context.check(confirmed, "the batch was not confirmed")
            let publishedBefore = try await context.int(
                """
                SELECT count(*) AS n FROM public.caseattestation WHERE case_id = \(cases[4])
                """)
            context.check(publishedBefore == 1, "the confirmed case had \(publishedBefore) caseattestation rows")
            try await erasure.forget(caseID: cases[4])  // confirmed
            // Its published row is withdrawn from the backend's table too.
            let publishedAfter = try await context.int(
                """
                SELECT count(*) AS n FROM public.caseattestation WHERE case_id = \(cases[4])
                """)
            context.check(publishedAfter == 0, "an erased case kept \(publishedAfter) caseattestation rows")

            // Everything that could ask again does: the backend's notices
            // (the trigger on cases), the API's intake, the sweep. Case 3
            // becomes attestable again.
            try await context.database.query("UPDATE cases SET status = 'resolved' WHERE id = \(cases[3])")
            try await context.database.query(
                """
                UPDATE cases SET resolved_at = resolved_at + interval '1 second' WHERE id IN (\(cases[0]), \(cases[1]),
                    \(cases[2]), \(cases[4]), \(cases[5]))
                """)
            for caseID in cases.prefix(6) {
                let outcome = try await intake.request(caseID: caseID, source: "api")
                guard case .erased = outcome else {
                    Issue.record("case \(caseID): an API request must not re-request an erased case: \(outcome)")
                    continue
                }
            }
            // A case resolved after all that is confirmed: the daemon has
            // taken the notices and swept meanwhile.
            let sentinel = try await context.seedCases(1)[0]
            let sentinelDone = try await context.waitUntil("the sentinel confirmed", timeout: .seconds(120)) {
                try await context.int(
                    """
                    SELECT count(*) AS n FROM attestation_state WHERE case_id = \(sentinel) AND status = 'confirmed'
                    """) == 1
            }
            context.check(sentinelDone, "the case resolved last was not confirmed")

            let erasedIDs = "{" + cases.prefix(6).map(String.init).joined(separator: ",") + "}"
            let rows = try await context.database.query(
                """
                SELECT case_id, version, status, batch_id, erased_at IS NOT NULL AS erased,
                    (\(unescaped: Self.linkedSQL)) AS linked
                FROM attestation WHERE case_id = ANY(\(erasedIDs)::bigint[]) ORDER BY case_id, version
                """
            ).rows
            #expect(rows.count == 6, "one row each: nothing was requested again")
            var statusByCase: [Int64: String] = [:]
            for row in rows {
                let caseID = try row.decode(Int64.self, "case_id")
                statusByCase[caseID] = try row.decode(String.self, "status")
                #expect(try row.decode(Int.self, "version") == 1)
                #expect(try row.decode(Bool.self, "erased"))
                #expect(
                    try row.decode(Bool.self, "linked") == false,
                    "case \(caseID) still holds a salt, document or leaf")
            }
            // Frozen where forget found them: never committed, batched or moved on.
            // A case row says `batched` from its batching on (signed, sent,
            // mined and confirmed are the batch's states, migration 0017), so
            // case 4, erased once its batch confirmed, and case 5, erased while
            // its batch was signed, say `batched` too.
            #expect(statusByCase[cases[0]] == "requested")
            #expect(statusByCase[cases[1]] == "committed")
            #expect(statusByCase[cases[2]] == "batched")
            #expect(statusByCase[cases[3]] == "failed")
            #expect(statusByCase[cases[4]] == "batched")
            #expect(statusByCase[cases[5]] == "batched")
            // Readers (the view) see how far each tombstone's batch went.
            let batchEnds = try await context.database.query(
                """
                SELECT case_id, status FROM attestation_state WHERE case_id = ANY(\(erasedIDs)::bigint[])
                  AND batch_id IS NOT NULL ORDER BY case_id
                """
            ).rows.map { try $0.decode(String.self, "status") }
            #expect(batchEnds == ["confirmed", "confirmed", "confirmed"], "cases 2, 4 and 5: their batch confirmed")
            let tombstones = try await context.int(
                """
                SELECT count(*) AS n FROM attestation WHERE batch_id = \(batch?.id ?? -1) AND erased_at IS NOT NULL
                """)
            #expect(tombstones == 3, "cases 2, 4 and 5 keep their batch")

            // Batch mates still verify; the erased cases say erased.
            let environment = [
                "PATH": "/usr/bin:/bin", "DATABASE_URL": context.databaseURL, "CASEATTEST_RPC_URL": signer.rpcURL,
                "CASEATTEST_CONTRACT": signer.contract.lowercased,
                "CASEATTEST_CHAIN_ID": String(TestEnvironment.chainID),
                "CASEATTEST_PSEUDONYM_KEY_FILE": signer.pseudonymKeyFile,
            ]
            let verify = try await CLI.run(
                [
                    "verify", "--all", "--json", "--confirmations", "1",
                    "--log-level", "warning",
                ], environment: environment)
            let verdicts = try CLI.verdicts(verify)
            for caseID in cases.suffix(2) + [sentinel] {
                #expect(verdicts.byCase[caseID]?.verdict == "verified", "case \(caseID): \(verify.stdout.prefix(600))")
            }
            for caseID in cases.prefix(6) {
                #expect(verdicts.byCase[caseID]?.verdict == "erased", "case \(caseID)")
            }

            // Reconciliation: the anchored batch of 5 has 2 live rows and 3 tombstones: no finding.
            let reconciler = Reconciler(
                database: context.database, rpc: try context.ethereum(signer.rpcURL).rpc,
                registry: signer.contract, chainID: TestEnvironment.chainID,
                attesters: [signer.key.address], logger: DaemonTestContext.quietLogger)
            let report = try await reconciler.reconcile()
            #expect(report.findings.isEmpty, "\(report.text)")
            #expect(report.tombstones == 3)

            // Only an operator asking explicitly attests an erased case again.
            let refused = try await CLI.run(["attest", "--case", String(cases[3])], environment: environment)
            #expect(refused.status == 1)
            #expect(refused.stdout.contains("--after-erasure"))
            let asked = try await CLI.run(
                [
                    "attest", "--case", String(cases[3]), "--after-erasure", "--wait",
                    "--timeout", "120",
                ], environment: environment)
            #expect(asked.status == 0, "stdout: \(asked.stdout) stderr: \(asked.stderr)")
            let versions = try await context.int(
                """
                SELECT count(*) AS n FROM attestation_state
                WHERE case_id = \(cases[3]) AND version = 2 AND status = 'confirmed'
                    AND salt IS NOT NULL AND requested_by = 'cli-after-erasure'
                """)
            #expect(versions == 1)
        }
    }

    /// The columns that linked an attestation to its case and leaf.
    static let linkedSQL: StaticString = """
        salt IS NOT NULL OR attested_document IS NOT NULL OR content_hash IS NOT NULL
        OR leaf IS NOT NULL OR leaf_index IS NOT NULL OR proof IS NOT NULL
        """
}
