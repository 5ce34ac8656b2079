import Attestation
import Ethereum
import Foundation
import Postgres
import Testing

@testable import AttestationService

/// Issue 17: a commit of a backlog (no slots) closes its full batches itself
/// and writes each of their rows once, straight to `batched`; what is left
/// over is committed for the batch step, as before.
struct CommitClosesBatchTests {
    @Test func aBacklogsFullBatchesAreClosedByTheCommitWithOneWriteARow() async throws {
        try await DaemonTestContext.run { context in
            let signer = try await context.makeSigner()
            let key = try PseudonymKey(contentsOfFile: signer.pseudonymKeyFile)
            let cases = try await context.seedCases(300)
            let intake = AttestationIntake(
                database: context.database, pseudonymKey: key, logger: DaemonTestContext.quietLogger)
            for caseID in cases { _ = try await intake.request(caseID: caseID, source: "test") }
            let before = try await settledUpdates(context)

            let target = PipelineStore.BatchTarget(
                schedule: AnchorSchedule(interval: 0, batchMax: 128, batchWait: 3600),
                chainID: TestEnvironment.chainID, contract: signer.contract)
            let result = try await context.database.transaction { connection in
                try PipelineStore.commitRequested(
                    limit: target.schedule.commitClaim, key: key, closing: target, now: Date(), on: connection)
            }
            #expect(result.claimed == 300)
            #expect(result.committed == 300)
            #expect(result.failed.isEmpty)
            #expect(result.batches.map(\.leafCount) == [128, 128])
            let batched = try await context.int(
                "SELECT count(*) AS n FROM attestation WHERE status = 'batched' AND batch_id IS NOT NULL")
            let committed = try await context.int(
                "SELECT count(*) AS n FROM attestation WHERE status = 'committed' AND batch_id IS NULL")
            #expect(batched == 256, "two full batches")
            #expect(committed == 44, "the rest waits for the batch step")
            // The oldest requests went first: ids in order.
            let maxBatched = try await context.int(
                "SELECT max(id) AS n FROM attestation WHERE status = 'batched'")
            let minCommitted = try await context.int(
                "SELECT min(id) AS n FROM attestation WHERE status = 'committed'")
            #expect(maxBatched < minCommitted)

            // Every batched row holds its document and a proof to its batch's root.
            let rows = try await context.database.query(
                """
                SELECT a.content_hash, a.leaf, a.proof::text AS proof, a.attested_document, b.root
                FROM attestation a JOIN attestation_batch b ON b.id = a.batch_id
                """
            ).rows
            #expect(rows.count == 256)
            var proven = 0
            for row in rows {
                let contentHash = try ContentHash(hex: try row.decode(String.self, "content_hash"))
                let document = try row.decode([UInt8].self, "attested_document")
                let leaf = try Hex.decode(try row.decode(String.self, "leaf"))
                let proof = try ProofText.siblings(try row.decode(String.self, "proof")) ?? []
                let root = try Hex.decode(try row.decode(String.self, "root"))
                if ContentHash(canonicalBytes: document) == contentHash, leaf == MerkleTree.leafHash(contentHash),
                    MerkleTree.verify(leaf: leaf, proof: proof, root: root)
                {
                    proven += 1
                }
            }
            #expect(proven == 256, "\(proven) of 256 batched rows prove their document to the root")

            // One write a row: 300 updates for 300 rows, batched or committed.
            let flushed = try await context.waitUntil("the table's counters", timeout: .seconds(10)) {
                try await settledUpdates(context) - before >= 300
            }
            let updates = try await settledUpdates(context) - before
            #expect(flushed)
            #expect(updates == 300, "\(updates) updates for 300 rows")
        }
    }

    private func settledUpdates(_ context: DaemonTestContext) async throws -> Int {
        try await context.int(
            """
            SELECT n_tup_upd AS n FROM pg_stat_user_tables WHERE schemaname = 'caseattest' AND relname = 'attestation'
            """)
    }
}
