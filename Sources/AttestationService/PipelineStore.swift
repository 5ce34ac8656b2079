import Attestation
import Ethereum
import Foundation
import Postgres
import Registry

/// The pipeline's database steps. Each runs inside one transaction the
/// caller opens, and claims rows with FOR UPDATE SKIP LOCKED, so two daemons
/// never take the same row and a crash mid-step leaves the previous state.
enum PipelineStore {
    /// Cases whose fingerprints one sweep compares (see `casesChangedSinceAttested`).
    static let sweepWindow = 5_000
    /// Cases one sweep looks through for those with no attestation at all
    /// (see `requestUnattested`): a probe of an index each, so more than the
    /// fingerprints' window; a million cases are twenty sweeps.
    static let backfillWindow = 50_000
    /// Every write the pipeline makes to an attestation row carries this:
    /// an erased row is frozen as `forget` left it (a tombstone), never
    /// committed, salted, batched, moved or failed again.
    static let notErased: StaticString = "erased_at IS NULL"

    // MARK: requested -> committed

    struct CommitResult: Sendable {
        var committed = 0
        /// Cases that failed alone, with their reasons.
        var failed: [(attestationID: Int64, reason: String)] = []
        var claimed = 0
        /// Full batches the commit closed itself (`AnchorSchedule.batchesClosedOnCommit`).
        var batches: [BatchCreated] = []
    }

    /// Where a commit's full batches are anchored: given, the commit closes
    /// them itself when the schedule says so.
    struct BatchTarget: Sendable {
        let schedule: AnchorSchedule
        let chainID: UInt64
        let contract: Address
    }

    /// Builds the document, salt and content hash of up to `limit` requests.
    /// A case that cannot become a document fails alone, with its reason.
    static func commitRequested(
        limit: Int, key: PseudonymKey, closing target: BatchTarget? = nil, now: Date,
        on connection: PostgresConnection
    ) throws -> CommitResult {
        // The requests are claimed first, then their cases looked up by key:
        // a join in one SELECT lets the planner hash the whole cases table
        // for each call. A case deleted since its request is not attestable
        // and fails alone.
        let claimed = try connection.query(
            """
            WITH claimed AS (
                SELECT id, case_id FROM attestation
                WHERE status = \(AttestationStatus.requested) AND \(unescaped: notErased)
                ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            SELECT r.id, r.case_id, coalesce(caseattest.is_attestable(c.status), false) AS attestable
            FROM claimed r LEFT JOIN cases c ON c.id = r.case_id
            ORDER BY r.id
            """
        ).rows
        var result = CommitResult(claimed: claimed.count)
        guard !claimed.isEmpty else { return result }
        let requests = try claimed.map {
            (
                id: try $0.decode(Int64.self, "id"), caseID: try $0.decode(Int64.self, "case_id"),
                attestable: try $0.decode(Bool.self, "attestable")
            )
        }
        let cases = try CaseRows.loadEach(ids: requests.map(\.caseID), on: connection)
        let fingerprints = try caseFingerprints(requests.map(\.caseID), on: connection)
        var committed: [[PostgresValue]] = []
        var contentHashes: [String] = []
        for request in requests {
            let salt = try Salt.random()
            switch CommitDecision.decide(
                snapshot: cases.snapshots[request.caseID], readable: cases.unreadable[request.caseID] == nil,
                attestable: request.attestable, key: key, salt: salt)
            {
            case .commit(let canonical, let contentHash):
                committed.append([
                    .int(request.id), .bytea(salt.bytes), .bytea(canonical), .text(contentHash),
                    fingerprints[request.caseID].map(PostgresValue.text) ?? .null,
                ])
                contentHashes.append(contentHash)
            case .fail(let reason):
                result.failed.append((request.id, reason))
            }
        }
        // Full batches first, in id order: those rows go straight to `batched`.
        let closing = target.map { $0.schedule.batchesClosedOnCommit(committed: committed.count) } ?? 0
        if let target, closing > 0 {
            let batchMax = target.schedule.batchMax
            for start in stride(from: 0, to: closing * batchMax, by: batchMax) {
                let range = start..<start + batchMax
                result.batches.append(
                    try closeCommitted(
                        Array(committed[range]), contentHashes: Array(contentHashes[range]), target: target,
                        now: now, on: connection))
            }
            result.committed = closing * batchMax
            committed.removeFirst(closing * batchMax)
        }
        if !committed.isEmpty {
            try connection.query(
                bulkUpdate(
                    set: "status = '\(AttestationStatus.committed.rawValue)', " + committedSet,
                    columns: committedColumns, rows: committed, now: now))
        }
        for failure in result.failed {
            try connection.query(
                """
                UPDATE attestation SET status = \(AttestationStatus.failed), last_error = \(failure.reason),
                    attempts = attempts + 1, retry_at = NULL, updated_at = \(now),
                    source_fingerprint = caseattest.case_fingerprint(case_id)
                WHERE id = \(failure.attestationID) AND \(unescaped: notErased)
                """)
        }
        result.committed += committed.count
        return result
    }

    /// What a commit writes besides the status, from the columns below.
    private static let committedSet = """
        salt = v.salt, attested_document = v.document, content_hash = v.content_hash,
        schema_version = '\(CaseDocument.Schema.current.rawValue)', updated_at = $1, last_error = NULL,
        retry_at = NULL, source_fingerprint = v.fingerprint
        """
    private static let committedColumns = [
        "id::bigint", "salt::bytea", "document::bytea", "content_hash::text", "fingerprint::text",
    ]

    /// One full batch of rows just committed (as `commitRequested` builds
    /// them), written once: what the commit writes and what `closeBatch`
    /// writes, together.
    private static func closeCommitted(
        _ rows: [[PostgresValue]], contentHashes: [String], target: BatchTarget, now: Date,
        on connection: PostgresConnection
    ) throws -> BatchCreated {
        let leaves = try contentHashes.map { MerkleTree.leafHash(try ContentHash(hex: $0)) }
        let (created, tree) = try insertBatch(
            leaves: leaves, schedule: target.schedule, slot: nil, chainID: target.chainID,
            contract: target.contract, now: now, on: connection)
        let written = try rows.indices.map { rows[$0] + (try leafColumns(tree: tree, leaves: leaves, index: $0)) }
        for start in stride(from: 0, to: written.count, by: bulkChunk) {
            try connection.query(
                bulkUpdate(
                    set: batchedSet(batchID: created.id, chainID: target.chainID, contract: target.contract) + ", "
                        + committedSet,
                    columns: committedColumns + leafColumnNames,
                    rows: Array(written[start..<min(start + bulkChunk, written.count)]), now: now))
        }
        return created
    }

    /// The sweep's fingerprint of each case's rows (migration 0012), in one
    /// statement for all of them.
    static func caseFingerprints(_ caseIDs: [Int64], on connection: PostgresConnection) throws -> [Int64: String] {
        // Integers only, so the array literal cannot carry anything but digits.
        let ids = "{" + caseIDs.map(String.init).joined(separator: ",") + "}"
        var fingerprints: [Int64: String] = [:]
        for row in try connection.query(
            "SELECT case_id, fingerprint FROM caseattest.case_fingerprints(\(ids)::bigint[])"
        ).rows {
            fingerprints[try row.decode(Int64.self, "case_id")] = try row.decode(String?.self, "fingerprint")
        }
        return fingerprints
    }

    // MARK: committed -> batched

    struct BatchCreated: Sendable {
        let id: Int64
        let root: String
        /// On chain: real leaves and filler leaves.
        let leafCount: Int
        let fillerCount: Int
    }

    /// Closes one batch of up to `schedule.batchMax` commitments. With a
    /// `slot` (a boundary just passed), of those committed by then, whatever
    /// their number; without one, when the schedule's batch-max/batch-wait
    /// rule says so. Returns nil when no batch was made. The batch is padded
    /// with filler leaves up to its bucket; the fillers go into the batch row
    /// (they are no attestations), after the real leaves in value order.
    static func closeBatch(
        schedule: AnchorSchedule, slot: Date?, chainID: UInt64, contract: Address, now: Date,
        on connection: PostgresConnection
    ) throws -> BatchCreated? {
        if slot == nil {
            // Decided on a look without locks: this runs every poll while a
            // batch fills, and claiming (FOR UPDATE writes a lock into every
            // row) thousands of rows only to find it is not time yet cost more
            // than the batches themselves. What is then claimed may be fewer
            // rows (another daemon holds some): a smaller batch, no harm.
            let peek = try connection.query(
                """
                SELECT count(*) AS waiting, min(updated_at) AS oldest FROM (
                    SELECT updated_at FROM attestation
                    WHERE status = \(AttestationStatus.committed) AND \(unescaped: notErased)
                    ORDER BY id LIMIT \(schedule.batchMax)) w
                """
            ).rows[0]
            guard let oldest = try peek.decode(Date?.self, "oldest"),
                schedule.closesWithoutSlot(
                    waiting: Int(try peek.decode(Int64.self, "waiting")), oldest: oldest.timeIntervalSince1970,
                    now: now.timeIntervalSince1970)
            else { return nil }
        }
        let claimed = try connection.query(
            """
            SELECT id, content_hash FROM attestation
            WHERE status = \(AttestationStatus.committed) AND \(unescaped: notErased)
              AND (\(slot)::timestamptz IS NULL OR updated_at <= \(slot)::timestamptz)
            ORDER BY id LIMIT \(schedule.batchMax) FOR UPDATE SKIP LOCKED
            """
        ).rows
        guard !claimed.isEmpty else { return nil }

        let ids = try claimed.map { try $0.decode(Int64.self, "id") }
        let leaves = try claimed.map {
            MerkleTree.leafHash(try ContentHash(hex: try $0.decode(String.self, "content_hash")))
        }
        let (created, tree) = try insertBatch(
            leaves: leaves, schedule: schedule, slot: slot, chainID: chainID, contract: contract, now: now,
            on: connection)
        let rows = try ids.indices.map { [.int(ids[$0])] + (try leafColumns(tree: tree, leaves: leaves, index: $0)) }
        for start in stride(from: 0, to: rows.count, by: bulkChunk) {
            try connection.query(
                bulkUpdate(
                    set: batchedSet(batchID: created.id, chainID: chainID, contract: contract) + ", updated_at = $1",
                    columns: ["id::bigint"] + leafColumnNames,
                    rows: Array(rows[start..<min(start + bulkChunk, rows.count)]),
                    now: now))
        }
        return created
    }

    /// The batch row of `leaves` (real leaves, in value order), padded with
    /// filler leaves up to its bucket; the fillers go into the batch row
    /// (they are no attestations), after the real leaves.
    private static func insertBatch(
        leaves: [[UInt8]], schedule: AnchorSchedule, slot: Date?, chainID: UInt64, contract: Address, now: Date,
        on connection: PostgresConnection
    ) throws -> (BatchCreated, MerkleTree) {
        let fillers = try FillerLeaf.random(count: schedule.fillerCount(forRealLeaves: leaves.count))
        let tree = try MerkleTree(leafHashes: leaves + fillers)
        let root = Hex.encodePrefixed(tree.root)
        let contractText = Hex.encodePrefixed(contract.bytes)
        let batchID = try connection.query(
            """
            INSERT INTO attestation_batch (root, leaf_count, status, chain_id, contract_address, filler_count,
                filler_leaves, slot_at, created_at, updated_at)
            VALUES (\(root), \(tree.leafCount), \(BatchStatus.batched), \(Int64(chainID)), \(contractText),
                \(fillers.count), \(fillers.flatMap { $0 }), \(slot), \(now), \(now))
            RETURNING id
            """
        ).rows[0].decode(Int64.self, "id")
        return (BatchCreated(id: batchID, root: root, leafCount: tree.leafCount, fillerCount: fillers.count), tree)
    }

    /// What batching writes besides a row's leaf: only numbers and the hex
    /// of an address, so nothing but them is interpolated. The row's id in
    /// the backend's table is taken now, so the batch's confirmation need
    /// not write the row again (`SeedRecord.confirm`); the view shows it only
    /// once confirmed. A row batched again keeps the id it has.
    private static func batchedSet(batchID: Int64, chainID: UInt64, contract: Address) -> String {
        """
        status = '\(AttestationStatus.batched.rawValue)', batch_id = \(batchID), leaf_index = v.leaf_index, \
        leaf = v.leaf, proof = v.proof, chain_id = \(chainID), \
        contract_address = '\(Hex.encodePrefixed(contract.bytes))', \
        record_id = coalesce(record_id, \(SeedRecord.recordIDFromSequence))
        """
    }
    private static let leafColumnNames = ["leaf_index::integer", "leaf::text", "proof::jsonb"]

    /// The leaf index, leaf and proof of the real leaf at `index`.
    private static func leafColumns(tree: MerkleTree, leaves: [[UInt8]], index: Int) throws -> [PostgresValue] {
        let proof = try tree.proof(forValueAt: index).map { "\"\(Hex.encodePrefixed($0))\"" }
        return [
            .int(Int64(index)), .text(Hex.encodePrefixed(leaves[index])),
            .jsonb("[" + proof.joined(separator: ",") + "]"),
        ]
    }

    /// Rows one `bulkUpdate` writes at most. PostgreSQL takes at most 65,535
    /// binds a statement (9 a row at most here), and joins the VALUES through
    /// a hash table: 4,096 rows with their documents outgrew its memory and
    /// spilled to disk, making a batch's write slower than two writes.
    static let bulkChunk = 1_024

    /// One UPDATE for many rows: `UPDATE attestation SET <set> FROM
    /// (VALUES ($2, $3, ...), ...) AS v(...) WHERE attestation.id = v.id`.
    /// Every value is a bind; `set` may only interpolate numbers, hex the
    /// code itself produced and status names of `AttestationStatus`; `$1`
    /// is the update time.
    static func bulkUpdate(set: String, columns: [String], rows: [[PostgresValue]], now: Date) -> PostgresQuery {
        var binds: [PostgresValue] = [now.postgresValue]
        binds.reserveCapacity(1 + rows.count * columns.count + 1)
        // A chunk is thousands of placeholders: written into one string,
        // each column's cast worked out once.
        let casts = columns.map { "::" + ($0.split(separator: ":", maxSplits: 2).last.map(String.init) ?? "text") }
        var tuples = ""
        tuples.reserveCapacity(rows.count * columns.count * 16)
        for row in rows {
            tuples += tuples.isEmpty ? "(" : ", ("
            for (column, (cast, value)) in zip(casts, row).enumerated() {
                binds.append(value)
                if column > 0 { tuples += ", " }
                tuples += "$"
                tuples += String(binds.count)
                tuples += cast
            }
            tuples += ")"
        }
        let names = columns.map { String($0.split(separator: ":").first ?? "") }.joined(separator: ", ")
        // The id list repeats the VALUES' ids as an indexable predicate: with
        // stale statistics (a freshly loaded table) the planner otherwise
        // joins by scanning the whole table once per row.
        binds.append(
            .text(
                "{"
                    + rows.compactMap { row -> String? in
                        if case .int(let id) = row.first { return String(id) }
                        return nil
                    }.joined(separator: ",") + "}"))
        let sql =
            "UPDATE attestation SET \(set) FROM (VALUES \(tuples)) AS v(\(names)) "
            + "WHERE attestation.id = ANY($\(binds.count)::bigint[]) AND attestation.id = v.id"
        return PostgresQuery(sql: sql, binds: binds)
    }

    /// Fails a batch and its attestations; they are tried again at `retryAt`.
    static func failBatch(
        _ batchID: Int64, reason: String, retryAt: Date?, now: Date, on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            UPDATE attestation_batch SET status = \(BatchStatus.failed), last_error = \(reason), updated_at = \(now)
            WHERE id = \(batchID)
            """)
        try connection.query(
            """
            UPDATE attestation SET status = \(AttestationStatus.failed), last_error = \(reason), attempts = attempts + \
            1,
                retry_at = \(retryAt), updated_at = \(now)
            WHERE batch_id = \(batchID) AND status <> \(AttestationStatus.failed)
              AND \(unescaped: notErased)
            """)
    }
}
