import Attestation
import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Registry
import Testing

/// Checks of what the daemon left, against the database and the real node.
/// Each records failures through `context.check` and returns what it saw.
extension DaemonTestContext {
    struct AttestationRow: Sendable {
        let id: Int64
        let caseID: Int64
        let status: String
        let contentHash: String?
        let txHash: String?
        let blockNumber: Int64?
        let blockHash: String?
        let attestedAt: Date?
        let leaf: String?
        let proof: [String]
        let batchID: Int64?
        let root: String?
        let leafCount: Int?
    }

    func attestationRows() async throws -> [AttestationRow] {
        try await database.query(
            """
            SELECT a.id, a.case_id, a.status, a.content_hash, a.tx_hash, a.block_number, a.block_hash, a.attested_at,
                   a.leaf, a.proof::text AS proof, a.batch_id, b.root, b.leaf_count
            FROM attestation_state a LEFT JOIN attestation_batch b ON b.id = a.batch_id
            ORDER BY a.id
            """
        ).rows.map { row in
            let proofText = try row.decode(String?.self, "proof") ?? "[]"
            let proof = (try? JSONSerialization.jsonObject(with: Data(proofText.utf8))) as? [String] ?? []
            return AttestationRow(
                id: try row.decode(Int64.self, "id"), caseID: try row.decode(Int64.self, "case_id"),
                status: try row.decode(String.self, "status"),
                contentHash: try row.decode(String?.self, "content_hash"),
                txHash: try row.decode(String?.self, "tx_hash"),
                blockNumber: try row.decode(Int64?.self, "block_number"),
                blockHash: try row.decode(String?.self, "block_hash"),
                attestedAt: try row.decode(Date?.self, "attested_at"),
                leaf: try row.decode(String?.self, "leaf"), proof: proof,
                batchID: try row.decode(Int64?.self, "batch_id"),
                root: try row.decode(String?.self, "root"), leafCount: try row.decode(Int?.self, "leaf_count"))
        }
    }

    /// Every confirmed row is backed by the chain: a receipt (status 1) of its
    /// tx hash in the canonical block it names, at depth >= `confirmations`,
    /// `attested_at` = that block's time, its proof reaches its batch root,
    /// and the registry's `anchorOf(root)` names our signer and leaf count.
    /// Returns how many confirmed rows were checked.
    @discardableResult
    func auditConfirmed(_ signer: DaemonSigner, confirmations: Int, eth: EthereumClient) async throws -> Int {
        let rows = try await attestationRows().filter { $0.status == "confirmed" }
        var receiptsChecked: [String: Bool] = [:]
        var anchorsChecked: [String: Bool] = [:]
        var blockTimes: [Int64: Date] = [:]
        let head = try await eth.blockNumber()
        for row in rows {
            guard
                check(
                    row.contentHash != nil && row.txHash != nil && row.blockNumber != nil && row.blockHash != nil
                        && row.attestedAt != nil && row.root != nil && row.leaf != nil,
                    "confirmed row \(row.id) (case \(row.caseID)) lacks content hash, tx hash, block, time or batch"),
                let contentHex = row.contentHash, let txHash = row.txHash, let blockNumber = row.blockNumber,
                let blockHash = row.blockHash, let attestedAt = row.attestedAt, let rootHex = row.root,
                let leafHex = row.leaf
            else { continue }

            let contentHash = try ContentHash(hex: contentHex)
            let leaf = MerkleTree.leafHash(contentHash)
            check(Hex.encodePrefixed(leaf) == leafHex, "row \(row.id): stored leaf is not the content hash's leaf")
            let proof = try row.proof.map { try Hex.decode($0) }
            let root = try Hex.decode(rootHex)
            check(
                MerkleTree.verify(leaf: leaf, proof: proof, root: root),
                "row \(row.id): proof does not reach root \(rootHex)")

            if receiptsChecked[txHash] == nil {
                let receipt = try await eth.transactionReceipt(try Hex.decode(txHash))
                let canonical = try await eth.block(.number(UInt64(blockNumber)))
                var ok = check(receipt != nil, "row \(row.id) is confirmed, but the node has no receipt for \(txHash)")
                if let receipt {
                    ok = check(receipt.succeeded, "receipt of \(txHash) has status \(receipt.status)") && ok
                    ok =
                        check(
                            receipt.blockNumber == UInt64(blockNumber)
                                && Hex.encodePrefixed(receipt.blockHash) == blockHash,
                            "receipt of \(txHash) is in block \(receipt.blockNumber), the row says \(blockNumber)")
                        && ok
                    ok =
                        check(
                            receipt.from == signer.key.address && receipt.to == signer.contract,
                            "transaction \(txHash) is not from our signer to our registry") && ok
                }
                ok =
                    check(
                        canonical.map { Hex.encodePrefixed($0.hash) } == blockHash,
                        "block \(blockNumber) of \(txHash) is not canonical") && ok
                ok =
                    check(
                        head + 1 >= UInt64(blockNumber) + UInt64(confirmations),
                        "\(txHash) is confirmed at depth \(Int64(head) - blockNumber + 1) < \(confirmations)") && ok
                if let canonical {
                    blockTimes[blockNumber] = Date(timeIntervalSince1970: TimeInterval(canonical.timestamp))
                }
                receiptsChecked[txHash] = ok
            }
            if let time = blockTimes[blockNumber] {
                check(abs(time.timeIntervalSince(attestedAt)) < 1, "row \(row.id): attested_at is not the block's time")
            }
            if anchorsChecked[rootHex] == nil {
                let anchor = try RegistryCalls.decodeAnchor(
                    try await eth.call(
                        CallRequest(
                            to: signer.contract, data: try RegistryCalls.anchorOf(root: root))))
                anchorsChecked[rootHex] = check(
                    anchor?.attester == signer.key.address && anchor.map { Int($0.leafCount) } == row.leafCount,
                    """
                    anchorOf(\(rootHex)) on chain is \(String(describing: anchor)), expected our signer and \
                    \(row.leafCount ?? -1) leaves
                    """
                )
            }
        }
        try await checkPublished()
        return rows.count
    }

    /// The backend's caseattestation holds exactly the confirmed attestations
    /// (and the backend's own legacy rows), each as the service recorded it.
    func checkPublished() async throws {
        let row = try await database.query(
            """
            SELECT (SELECT count(*) FROM attestation_state a
                    WHERE a.status = 'confirmed' AND a.erased_at IS NULL AND NOT a.legacy
                      AND NOT EXISTS (SELECT 1 FROM public.caseattestation r
                                      WHERE r.id = a.record_id AND r.case_id = a.case_id
                                        AND r.counsellor_id IS NOT DISTINCT FROM a.counsellor_id
                                        AND r.content_hash = a.content_hash AND r.tx_hash = a.tx_hash
                                        AND r.attested_at = a.attested_at)) AS unpublished,
                   (SELECT count(*) FROM public.caseattestation r
                    WHERE NOT EXISTS (SELECT 1 FROM attestation_state a WHERE a.record_id = r.id
                                        AND (a.legacy OR (a.status = 'confirmed' AND a.erased_at IS NULL)))) AS stray
            """
        ).rows[0]
        let unpublished = try row.decode(Int64.self, "unpublished"), stray = try row.decode(Int64.self, "stray")
        check(unpublished == 0, "\(unpublished) confirmed attestations have no matching caseattestation row")
        check(stray == 0, "\(stray) caseattestation rows are not a confirmed attestation")
    }

    /// Each case has exactly one attestation row, confirmed.
    func checkEveryCaseConfirmedOnce(expected: Int) async throws {
        let cases = try await int("SELECT count(*) AS n FROM cases WHERE status IN ('resolved', 'closed')")
        check(cases == expected, "\(cases) resolved cases, expected \(expected)")
        let rows = try await int("SELECT count(*) AS n FROM attestation")
        let distinct = try await int("SELECT count(DISTINCT case_id) AS n FROM attestation")
        let confirmed = try await int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'")
        check(
            rows == expected && distinct == expected,
            "\(rows) attestation rows for \(distinct) cases, expected \(expected) each")
        let counts = try await attestationCounts()
        check(confirmed == expected, "\(confirmed) of \(expected) attestations confirmed: \(counts)")
        let missing = try await int(
            """
            SELECT count(*) AS n FROM cases c WHERE c.status IN ('resolved', 'closed')
              AND NOT EXISTS (SELECT 1 FROM attestation_state a WHERE a.case_id = c.id AND a.status = 'confirmed')
            """)
        check(missing == 0, "\(missing) resolved cases have no confirmed attestation")
        // Each batch holds as many rows as it says (filler leaves have none), every row once.
        let mismatched = try await int(
            """
            SELECT count(*) AS n FROM attestation_batch b
            WHERE b.leaf_count - b.filler_count <> (SELECT count(*) FROM attestation a WHERE a.batch_id = b.id)
              AND b.status = 'confirmed'
            """)
        check(mismatched == 0, "\(mismatched) confirmed batches whose leaf count differs from their rows")
    }

    /// Anchored logs emitted by the registry since `signer.firstBlock`, counted per root.
    func anchoredRootCounts(_ signer: DaemonSigner, eth: EthereumClient) async throws -> [String: Int] {
        let logs = try await eth.logs(
            LogFilter(
                fromBlock: .number(signer.firstBlock), toBlock: .latest,
                addresses: [signer.contract], topics: [[RegistryEvents.anchored.topic]]))
        var counts: [String: Int] = [:]
        for log in logs where log.address == signer.contract && !log.removed && log.topics.count >= 2 {
            counts[Hex.encodePrefixed(log.topics[1]), default: 0] += 1
        }
        return counts
    }

    /// No root anchored twice, and every confirmed batch's root anchored once.
    func checkRootsAnchoredOnce(_ signer: DaemonSigner, eth: EthereumClient) async throws {
        let counts = try await anchoredRootCounts(signer, eth: eth)
        let twice = counts.filter { $0.value > 1 }
        check(twice.isEmpty, "roots anchored more than once: \(twice)")
        let roots = try await database.query("SELECT root FROM attestation_batch WHERE status = 'confirmed'").rows
            .map { try $0.decode(String.self, "root") }
        let unanchored = roots.filter { counts[$0] != 1 }
        check(unanchored.isEmpty, "\(unanchored.count) confirmed batch roots have no Anchored log")
        let foreign = Set(counts.keys).subtracting(roots)
        check(foreign.isEmpty, "\(foreign.count) anchored roots belong to no confirmed batch")
    }

    struct ChainTransaction: Sendable {
        let hash: String
        let nonce: UInt64
        let to: String?
    }

    /// Every transaction (as the node's JSON) of the canonical blocks from
    /// `from` to `head`, read a hundred blocks a batch.
    func transactionsOnChain(from: UInt64, to head: UInt64, eth: EthereumClient) async throws -> [JSON] {
        guard head >= from else { return [] }
        var transactions: [JSON] = []
        for start in stride(from: from, through: head, by: 100) {
            let numbers = Array(start...min(start + 99, head))
            let results = try await eth.rpc.batch(
                numbers.map {
                    .init("eth_getBlockByNumber", [.string("0x" + String($0, radix: 16)), true])
                })
            for result in results {
                transactions += try result.get()["transactions"]?.arrayValue ?? []
            }
        }
        return transactions
    }

    /// The signer's transactions in the canonical blocks since `signer.firstBlock`.
    func signerTransactionsOnChain(_ signer: DaemonSigner, eth: EthereumClient) async throws -> [ChainTransaction] {
        let head = try await eth.blockNumber()
        let me = Hex.encodePrefixed(signer.key.address.bytes)
        return try await transactionsOnChain(from: signer.firstBlock + 1, to: head, eth: eth).compactMap {
            transaction in
            guard transaction["from"]?.stringValue?.lowercased() == me,
                let hash = transaction["hash"]?.stringValue, let nonceText = transaction["nonce"]?.stringValue,
                let nonce = UInt64(nonceText.dropFirst(2), radix: 16)
            else { return nil }
            return ChainTransaction(
                hash: hash.lowercased(), nonce: nonce, to: transaction["to"]?.stringValue?.lowercased())
        }
    }

    /// The signer's nonces: stored ones are one contiguous range from its
    /// first, the chain's nonce is that range's end, and on chain each nonce
    /// was used once, by a hash we stored.
    func checkNonces(_ signer: DaemonSigner, eth: EthereumClient) async throws {
        let me = Hex.encodePrefixed(signer.key.address.bytes)
        let stored = try await database.query(
            """
            SELECT nonce FROM attestation_transaction WHERE chain_id = \(Int64(TestEnvironment.chainID)) AND signer = \
            \(me)
            ORDER BY nonce
            """
        ).rows.map { UInt64(try $0.decode(Int64.self, "nonce")) }
        let expected = Array(signer.firstNonce..<(signer.firstNonce + UInt64(stored.count)))
        check(stored == expected, "stored nonces are not contiguous from \(signer.firstNonce): \(stored.prefix(40))")
        let chainNonce = try await eth.transactionCount(of: signer.key.address, at: .latest)
        check(
            chainNonce == signer.firstNonce + UInt64(stored.count),
            "the chain's nonce is \(chainNonce); stored nonces end at \(signer.firstNonce + UInt64(stored.count))")

        let onChain = try await signerTransactionsOnChain(signer, eth: eth)
        let nonces = onChain.map(\.nonce)
        check(Set(nonces).count == nonces.count, "a nonce was used twice on chain")
        check(
            nonces.sorted() == expected,
            "on-chain nonces \(nonces.sorted().prefix(40)) differ from stored \(expected.prefix(40))")
        let known = Set(
            try await database.query("SELECT tx_hash FROM attestation_transaction_hash").rows
                .map { try $0.decode(String.self, "tx_hash") })
        let strangers = onChain.filter { !known.contains($0.hash) }
        check(strangers.isEmpty, "\(strangers.count) transactions of the signer on chain were never stored")
    }
}
