import Attestation
import AttestationService
import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Registry
import Testing

/// Issue 14, the anchoring schedule: with `--anchor-interval`, anchors fall
/// only on slot boundaries, every on-chain leaf count is a bucket size, the
/// receipts of real cases verify with filler leaves in their trees, the
/// reconciliation counts the fillers as filler, and nothing on chain names a
/// case, a person or a pseudonym.
struct AnchoringScheduleTests {
    static let interval = 8.0
    static let schedule = AnchorSchedule(interval: interval, batchMax: 16, minimumLeaves: 8)

    @Test(.timeLimit(.minutes(10)))
    func anchorsFallOnSlotBoundariesInBucketSizesAndTheChainNamesNoOne() async throws {
        try await DaemonTestContext.run { context in
            // A chain of the test's own whose block times are the wall clock's:
            // a block per transaction and one every 2 s for confirmations. (At
            // more than a block a second the dev chain's times run ahead.)
            let url = try await context.startDedicatedChain()
            let signer = try await context.makeSigner(rpcURL: url)
            let eth = try context.ethereum(url)
            let miner = Task {
                while !Task.isCancelled {
                    _ = try? await eth.rpc.call("evm_mine", [])
                    try? await Task.sleep(for: .seconds(2))
                }
            }
            defer { miner.cancel() }
            try await context.useDistinctiveIdentities()
            try await context.seedCases(3)
            try await context.seedCases(21, status: "in_progress")
            try await context.giveStudentsDistinctiveNumbers()

            let options = DaemonOptions(
                batchMax: 16, batchWait: 0.3, anchorInterval: "8s", batchMinLeaves: 8,
                confirmations: 2, sweepInterval: 2)
            let daemon = context.daemon(signer, options: options)
            try daemon.start()
            let firstDone = try await context.waitUntil("3 confirmed", timeout: .seconds(90)) {
                try await context.confirmedCount() >= 3
            }
            let firstCounts = try await context.attestationCounts()
            context.check(firstDone, "the first 3 cases were not confirmed: \(firstCounts)")

            // 21 cases resolved early in a slot: more than --batch-max, so that
            // slot's boundary closes two batches (16 and 5 real leaves).
            try await Self.sleepUntilSlotOffset(in: 1...3)
            let resolvedAt = Date().timeIntervalSince1970
            let resolved = try await context.resolveCases(21)
            context.check(resolved == 21, "resolved \(resolved) cases, expected 21")
            let allDone = try await context.waitUntil("24 confirmed", timeout: .seconds(120)) {
                try await context.confirmedCount() >= 24
            }
            let counts = try await context.attestationCounts()
            context.check(allDone, "not all cases confirmed: \(counts)")
            _ = await daemon.terminate()

            try await context.checkEveryCaseConfirmedOnce(expected: 24)
            let audited = try await context.auditConfirmed(signer, confirmations: options.confirmations, eth: eth)
            context.check(audited == 24, "audited \(audited) confirmed rows")
            try await context.checkRootsAnchoredOnce(signer, eth: eth)
            try await context.checkBatchesClosedOnBoundaries(resolvedAt: resolvedAt)
            try await context.checkAnchorsOnBoundariesInBuckets(signer, eth: eth)
            try await context.checkReceiptsAndReconciliation(signer, rpcURL: url)
            try await context.checkChainNamesNoOne(signer, eth: eth)
            try await context.checkADeletedRowIsFoundAndNoFillerIs(signer, rpcURL: url)
        }
    }

    /// Sleeps until the wall clock is `offsets` seconds into a slot.
    static func sleepUntilSlotOffset(in offsets: ClosedRange<Double>) async throws {
        while true {
            let offset = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: interval)
            if offsets.contains(offset) { return }
            let wait =
                offset < offsets.lowerBound
                ? offsets.lowerBound - offset : interval - offset + offsets.lowerBound
            try await Task.sleep(for: .milliseconds(Int(wait * 1000) + 50))
        }
    }
}

// MARK: - Seed values worth looking for

extension DaemonTestContext {
    /// Ids far from 1, 2, 3 (which any byte string contains by chance): a
    /// match on chain then means the id, not a coincidence.
    func useDistinctiveIdentities() async throws {
        for (table, start) in [("users", 7_340_033_100), ("cases", 8_561_297_200), ("appointments", 9_123_456_300)] {
            try await database.query("SELECT setval(pg_get_serial_sequence(\(table), 'id'), \(Int64(start))) AS n")
        }
    }

    /// Student numbers as UGM writes them, one per student.
    func giveStudentsDistinctiveNumbers() async throws {
        try await database.query(
            """
            UPDATE users SET nim = (20 + id % 5)::text || '/' || (400000 + id % 100000)::text || '/TK/'
                || (40000 + id % 10000)::text
            WHERE nim IS NOT NULL
            """)
    }

    func confirmedCount() async throws -> Int {
        try await int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'")
    }
}

// MARK: - Checks

extension DaemonTestContext {
    struct StoredBatch {
        let id: Int64
        let root: String
        let leafCount: Int
        let fillers: Int
        let fillerLeaves: [UInt8]
        let slot: Date?
        let created: Date
        let rows: Int
    }

    func storedBatches() async throws -> [StoredBatch] {
        try await database.query(
            """
            SELECT b.id, b.root, b.leaf_count, b.filler_count, b.filler_leaves, b.slot_at, b.created_at,
                   (SELECT count(*) FROM attestation a WHERE a.batch_id = b.id) AS n
            FROM attestation_batch b ORDER BY b.id
            """
        ).rows.map { row in
            StoredBatch(
                id: try row.decode(Int64.self, "id"), root: try row.decode(String.self, "root"),
                leafCount: try row.decode(Int.self, "leaf_count"),
                fillers: try row.decode(Int.self, "filler_count"),
                fillerLeaves: try row.decode([UInt8].self, "filler_leaves"),
                slot: try row.decode(Date?.self, "slot_at"),
                created: try row.decode(Date.self, "created_at"), rows: try row.decode(Int.self, "n"))
        }
    }

    /// Every batch closed on a boundary (within its slot's first seconds), in
    /// a bucket, its root rebuilt from its rows' leaves and its stored fillers;
    /// the 21 cases resolved mid-slot went into the next boundary's batches.
    func checkBatchesClosedOnBoundaries(resolvedAt: Double) async throws {
        let schedule = AnchoringScheduleTests.schedule
        let batches = try await storedBatches()
        check(batches.count == 3, "\(batches.count) batches, expected 3 (3 cases, then 16 + 5)")
        for batch in batches {
            guard check(batch.slot != nil, "batch \(batch.id) has no slot"), let slot = batch.slot else { continue }
            let boundary = slot.timeIntervalSince1970
            check(schedule.boundary(atOrBefore: boundary) == boundary, "batch \(batch.id): slot \(slot) is no boundary")
            let late = batch.created.timeIntervalSince1970 - boundary
            log("batch \(batch.id): \(batch.rows) cases + \(batch.fillers) fillers, closed \(late) s after its slot")
            check(
                late >= 0 && late < AnchoringScheduleTests.interval / 2,
                "batch \(batch.id) closed \(late) s after its boundary: between boundaries")
            check(schedule.bucketSizes.contains(batch.leafCount), "batch \(batch.id) has \(batch.leafCount) leaves")
            check(batch.leafCount == batch.rows + batch.fillers, "batch \(batch.id): leaves are not rows + fillers")
            check(batch.fillerLeaves.count == 32 * batch.fillers, "batch \(batch.id) does not keep its fillers")
            let leaves = try await database.query(
                """
                SELECT leaf FROM attestation WHERE batch_id = \(batch.id) ORDER BY leaf_index
                """
            ).rows.map { try Hex.decode(try $0.decode(String.self, "leaf")) }
            let fillers = stride(from: 0, to: batch.fillerLeaves.count, by: 32).map {
                Array(batch.fillerLeaves[$0..<$0 + 32])
            }
            let root = try MerkleTree(leafHashes: leaves + fillers).root
            check(
                Hex.encodePrefixed(root) == batch.root,
                "batch \(batch.id): stored leaves and fillers do not rebuild its root")
        }
        let slots = try await database.query(
            """
            SELECT DISTINCT b.slot_at FROM attestation a JOIN attestation_batch b ON b.id = a.batch_id
            JOIN cases c ON c.id = a.case_id WHERE c.resolved_at > now() - interval '10 minutes'
            """
        ).rows.map { try $0.decode(Date.self, "slot_at").timeIntervalSince1970 }
        let expected = schedule.boundary(after: resolvedAt)
        check(
            slots.count == 1 && slots.first == expected,
            "the 21 cases resolved at \(resolvedAt) closed in slots \(slots), expected \(expected ?? -1) alone")
    }

    /// Every anchor was first sent in the first seconds of its batch's slot;
    /// on chain every Anchored log of the registry has a bucket's leaf count
    /// and a block time in the first seconds of a slot.
    func checkAnchorsOnBoundariesInBuckets(_ signer: DaemonSigner, eth: EthereumClient) async throws {
        let schedule = AnchoringScheduleTests.schedule
        let sent = try await database.query(
            """
            SELECT t.id, t.first_sent_at, b.slot_at FROM attestation_transaction t
            JOIN attestation_batch b ON b.id = t.batch_id WHERE t.purpose = 'anchor'
            """
        ).rows
        check(sent.count == 3, "\(sent.count) anchor transactions, expected 3")
        for row in sent {
            let id = try row.decode(Int64.self, "id")
            guard let first = try row.decode(Date?.self, "first_sent_at"),
                let slot = try row.decode(Date?.self, "slot_at")
            else {
                check(false, "anchor transaction \(id) was never sent or its batch has no slot")
                continue
            }
            let after = first.timeIntervalSince(slot)
            log("anchor transaction \(id) first sent \(after) s after its slot's boundary")
            check(
                after >= 0 && after < AnchoringScheduleTests.interval / 2,
                "anchor transaction \(id) first sent \(after) s after its slot's boundary")
        }
        let logs = try await eth.logs(
            LogFilter(
                fromBlock: .number(0), toBlock: .latest, addresses: [signer.contract],
                topics: [[RegistryEvents.anchored.topic]]))
        check(logs.count == 3, "\(logs.count) Anchored logs, expected 3")
        var offsets: [Double] = []
        for log in logs {
            let anchored = try RegistryEvents.decodeAnchored(topics: log.topics, data: log.data)
            let time = Double(anchored.blockTimestamp)
            let offset = time - (schedule.boundary(atOrBefore: time) ?? 0)
            offsets.append(offset)
            check(
                schedule.bucketSizes.contains(Int(anchored.leafCount)),
                "an anchor shows \(anchored.leafCount) leaves, not a bucket size \(schedule.bucketSizes)")
            check(
                offset <= AnchoringScheduleTests.interval / 2,
                "an anchor's block time is \(offset) s into its slot: not on a boundary")
        }
        self.log("anchor block times, seconds after their slot boundary: \(offsets)")
    }

    /// A receipt of a case in a batch with fillers verifies with no database;
    /// the reconciliation finds nothing and counts the fillers.
    func checkReceiptsAndReconciliation(_ signer: DaemonSigner, rpcURL: String) async throws {
        let environment = [
            "PATH": "/usr/bin:/bin", "CASEATTEST_RPC_URL": rpcURL, "CASEATTEST_CONTRACT": signer.contract.lowercased,
            "CASEATTEST_CHAIN_ID": String(TestEnvironment.chainID),
            "CASEATTEST_PSEUDONYM_KEY_FILE": signer.pseudonymKeyFile,
            "DATABASE_URL": databaseURL,
        ]
        let caseID = try await database.query(
            """
            SELECT a.case_id FROM attestation a JOIN attestation_batch b ON b.id = a.batch_id
            WHERE b.filler_count > 0 ORDER BY a.id LIMIT 1
            """
        ).rows[0].decode(Int64.self, "case_id")
        let path = directory + "/receipt-\(caseID).json"
        let written = try await CLI.run(
            ["receipt", "--case", String(caseID), "--out", path, "--log-level", "warning"],
            environment: environment)
        check(written.status == 0, "receipt: \(written.stderr)")
        let checked = try await CLI.run(
            ["verify-receipt", path, "--rpc", rpcURL, "--contract", signer.contract.lowercased],
            environment: ["PATH": "/usr/bin:/bin"])
        check(
            checked.status == 0 && checked.stdout.hasPrefix("verified"),
            "the receipt of case \(caseID) (fillers in its batch) fails: \(checked.stdout) \(checked.stderr)")

        let output = try await CLI.run(
            ["verify", "--all", "--json", "--attester", signer.key.address.lowercased],
            environment: environment)
        check(output.status == 0, "verify --all exited \(output.status): \(output.stdout.suffix(600)) \(output.stderr)")
        let document = try JSONValue.parse(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        check(document["summary"]?["verified"] == 24, "verify --all: \(String(describing: document["summary"]))")
        let reconciliation = document["reconciliation"]?["summary"]
        let fillers = try await int("SELECT sum(filler_count)::bigint AS n FROM attestation_batch")
        check(fillers > 0, "no filler leaves in any batch")
        check(
            reconciliation?["findings"] == 0 && reconciliation?["deleted"] == 0,
            "reconciliation with fillers: \(String(describing: reconciliation))")
        check(
            reconciliation?["filler_leaves"]?.numberValue == Double(fillers),
            "reconciliation counts \(String(describing: reconciliation?["filler_leaves"])) fillers, not \(fillers)")
    }

    /// An insider deletes a real row of a padded batch: the reconciliation
    /// names its leaf position alone, never a filler's.
    func checkADeletedRowIsFoundAndNoFillerIs(_ signer: DaemonSigner, rpcURL: String) async throws {
        let row = try await database.query(
            """
            SELECT a.id, a.leaf_index, b.leaf_count, b.filler_count FROM attestation a
            JOIN attestation_batch b ON b.id = a.batch_id WHERE b.filler_count > 0 ORDER BY a.id LIMIT 1
            """
        ).rows[0]
        let index = try row.decode(Int.self, "leaf_index")
        try await database.query("DELETE FROM attestation WHERE id = \(try row.decode(Int64.self, "id"))")
        let environment = [
            "PATH": "/usr/bin:/bin", "CASEATTEST_RPC_URL": rpcURL, "CASEATTEST_CONTRACT": signer.contract.lowercased,
            "CASEATTEST_CHAIN_ID": String(TestEnvironment.chainID), "DATABASE_URL": databaseURL,
            "CASEATTEST_PSEUDONYM_KEY_FILE": signer.pseudonymKeyFile,
        ]
        let output = try await CLI.run(
            ["verify", "--reconcile", "--json", "--attester", signer.key.address.lowercased],
            environment: environment)
        check(output.status == 1, "verify --reconcile exited \(output.status) with a deleted row: \(output.stderr)")
        let document = try JSONValue.parse(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        guard case .array(let findings)? = document["reconciliation"]?["findings"] else {
            check(false, "no findings in \(output.stdout.prefix(400))")
            return
        }
        check(
            findings.count == 1 && findings.first?["finding"]?.stringValue == "deleted",
            "findings after deleting one row: \(findings)")
        check(
            findings.first?["missing_leaf_indexes"] == .array([.number(Double(index))]),
            "missing positions \(String(describing: findings.first?["missing_leaf_indexes"])), expected [\(index)]")
    }

    /// Every transaction's input and every log of the registry, searched for
    /// the seeded cases' ids, user ids, pseudonyms, student numbers and
    /// e-mail addresses (and the cases' leaves and content hashes) in every
    /// plausible encoding: nothing found. The batch roots are found (the
    /// search works).
    func checkChainNamesNoOne(_ signer: DaemonSigner, eth: EthereumClient) async throws {
        let head = try await eth.blockNumber()
        let all = try await transactionsOnChain(from: 0, to: head, eth: eth)
        var haystacks: [[UInt8]] = try all.map {
            try Hex.decode($0["input"]?.stringValue ?? $0["data"]?.stringValue ?? "0x")
        }
        let transactions = all.count
        let logs = try await eth.logs(LogFilter(fromBlock: .number(0), toBlock: .latest, addresses: [signer.contract]))
        for log in logs { haystacks.append(log.data + log.topics.flatMap { $0 }) }
        log("chain scan: \(transactions) transactions and \(logs.count) registry logs in blocks 0-\(head)")

        let needles = try await privateNeedles()
        check(needles.count > 200, "only \(needles.count) values to look for")
        var found: [String] = []
        for needle in needles where haystacks.contains(where: { $0.contains(needle.bytes) }) {
            found.append(needle.label)
        }
        check(found.isEmpty, "on chain: \(found.prefix(20))")
        for batch in try await storedBatches() {
            let root = try Hex.decode(batch.root)
            check(haystacks.contains { $0.contains(root) }, "the chain scan did not find batch root \(batch.root)")
        }
    }

    /// What must never reach the chain, each value in every encoding that could carry it.
    func privateNeedles() async throws -> [(label: String, bytes: [UInt8])] {
        var needles: [(label: String, bytes: [UInt8])] = []
        func number(_ label: String, _ value: Int64) {
            let raw = UInt64(bitPattern: value)
            let bigEndian = (0..<8).map { UInt8(truncatingIfNeeded: raw >> (56 - 8 * $0)) }
            needles.append((label + " (decimal)", Array(String(value).utf8)))
            needles.append((label + " (uint256)", [UInt8](repeating: 0, count: 24) + bigEndian))
            needles.append((label + " (int64 big-endian)", bigEndian))
            needles.append((label + " (int64 little-endian)", bigEndian.reversed()))
        }
        func text(_ label: String, _ value: String) {
            needles.append((label, Array(value.utf8)))
            needles.append((label + " (lowercase)", Array(value.lowercased().utf8)))
        }
        for row in try await database.query("SELECT id, email, nim FROM users").rows {
            number("user id", try row.decode(Int64.self, "id"))
            text("e-mail", try row.decode(String.self, "email"))
            if let nim = try row.decode(String?.self, "nim") { text("student number", nim) }
        }
        for row in try await database.query("SELECT id FROM cases").rows {
            number("case id", try row.decode(Int64.self, "id"))
        }
        for row in try await database.query("SELECT id FROM appointments").rows {
            number("appointment id", try row.decode(Int64.self, "id"))
        }
        for row in try await database.query(
            """
            SELECT attested_document, content_hash, leaf FROM attestation WHERE attested_document IS NOT NULL
            """
        ).rows {
            let bytes = try row.decode([UInt8].self, "attested_document")
            let document = try JSONValue.parse(String(decoding: bytes, as: UTF8.self))
            if let userHash = document["user_hash"]?.stringValue {
                text("user_hash", userHash)
                needles.append(("user_hash (bytes)", try Hex.decode(userHash)))
            }
            needles.append(("content hash", try Hex.decode(try row.decode(String.self, "content_hash"))))
            needles.append(("leaf", try Hex.decode(try row.decode(String.self, "leaf"))))
        }
        return needles
    }
}

extension Array where Element == UInt8 {
    fileprivate func contains(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        let first = needle[0]
        var index = 0
        while index + needle.count <= count {
            if self[index] == first, self[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
