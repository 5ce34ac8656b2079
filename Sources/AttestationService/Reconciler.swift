import Attestation
import Ethereum
import EthereumRPC
import Foundation
import Logging
import Postgres

/// `verify --reconcile`: what the database no longer names, the chain still
/// knows. Every Anchored log of the configured registry since its deployment
/// is held against the database's batches and their rows.
public struct Reconciler: Sendable {
    let database: PostgresPool
    let ethereum: EthereumClient
    let registry: Address
    let chainID: UInt64
    /// Attesters the auditor names (the deployment's signer), besides those
    /// recorded in `attestation_signer`.
    let configuredAttesters: [Address]
    let initialLogRange: UInt64
    let logger: Logger

    public init(
        database: PostgresPool, rpc: JSONRPCClient, registry: Address, chainID: UInt64,
        attesters: [Address] = [], initialLogRange: UInt64 = 10_000, logger: Logger
    ) {
        self.database = database
        self.ethereum = EthereumClient(rpc: rpc)
        self.registry = registry
        self.chainID = chainID
        self.configuredAttesters = attesters
        self.initialLogRange = initialLogRange
        self.logger = logger
    }

    struct StoredBatch: Sendable {
        let id: Int64
        let leafCount: Int
        let status: String
        /// Every row of the batch, erased ones (tombstones) included.
        let rows: Int
        /// Erased rows: they count as the leaves they were, with no position.
        let tombstones: Int
        /// Filler leaves: in the anchored count, never rows.
        let fillers: Int
    }

    public func reconcile() async throws -> ReconciliationReport {
        let served: UInt64
        let head: UInt64
        do {
            served = try await ethereum.chainID()
            head = try await ethereum.blockNumber()
        } catch {
            throw VerifierError(.rpc, "the node did not answer: \(error)")
        }
        guard served == chainID else {
            throw VerifierError(.chainMismatch, "the node serves chain \(served), expected \(chainID)")
        }
        var scan = RegistryLogScan(ethereum: ethereum, registry: registry)
        scan.initialRange = initialLogRange
        let deployment = try await deploymentBlock(scan: scan, head: head)
        let scanned = try await scan.anchors(from: deployment, to: head)

        let (chain, contract) = (Int64(chainID), registry.lowercased)
        let (batches, recordedSigners) = try await database.withConnection { connection in
            let batches = try Self.storedBatches(chainID: chain, contract: contract, on: connection)
            let signers = try connection.query("SELECT signer FROM attestation_signer WHERE chain_id = \(chain)").rows
                .map { try $0.decode(String.self, "signer") }
            return (batches, signers)
        }

        var ours = Set(configuredAttesters)
        for signer in recordedSigners {
            if let address = try? Address(hex: signer.lowercased()) { ours.insert(address) }
        }
        for anchor in scanned.anchors where batches[Hex.encodePrefixed(anchor.root)] != nil {
            ours.insert(anchor.attester)
        }

        var findings: [ReconciliationFinding] = []
        var foreign: [ChainAnchor] = []
        var tombstones = 0
        var fillerLeaves = 0
        for anchor in scanned.anchors {
            let rootText = Hex.encodePrefixed(anchor.root)
            guard ours.contains(anchor.attester) else {
                foreign.append(anchor)
                continue
            }
            guard let batch = batches[rootText] else {
                findings.append(
                    ReconciliationFinding(
                        kind: .unknownAnchor, anchor: anchor, batchID: nil, databaseLeafCount: nil, rowsFound: nil,
                        missingLeafIndexes: [],
                        reason:
                            """
                            root \(rootText) was anchored by \(anchor.attester.lowercased) in block \
                            \(anchor.blockNumber) 
                            """
                                + "with \(anchor.leafCount) leaves, and no batch in the database has it"))
                continue
            }
            tombstones += batch.tombstones
            if batch.leafCount != Int(anchor.leafCount) {
                findings.append(
                    ReconciliationFinding(
                        kind: .leafCountMismatch, anchor: anchor, batchID: batch.id, databaseLeafCount: batch.leafCount,
                        rowsFound: batch.rows, missingLeafIndexes: [],
                        reason: "batch \(batch.id) (root \(rootText)) records \(batch.leafCount) leaves; "
                            + "the chain anchored \(anchor.leafCount) in block \(anchor.blockNumber)"))
            }
            fillerLeaves += batch.fillers
            // Filler leaves take the last positions of the batch and have no rows.
            let realLeaves = Int(anchor.leafCount) - batch.fillers
            if batch.rows < realLeaves {
                let missing = try await missingLeaves(batchID: batch.id, realLeaves: realLeaves)
                findings.append(
                    ReconciliationFinding(
                        kind: .deleted, anchor: anchor, batchID: batch.id, databaseLeafCount: batch.leafCount,
                        rowsFound: batch.rows, missingLeafIndexes: missing,
                        reason: "batch \(batch.id) (root \(rootText), block \(anchor.blockNumber)) was anchored with "
                            + "\(anchor.leafCount) leaves (\(batch.fillers) of them filler) but has \(batch.rows) "
                            + "attestation rows (\(batch.tombstones) of them erased); positions with no live row: "
                            + "\(Self.list(missing))"))
            }
        }
        let attesters = ours.sorted { $0.lowercased < $1.lowercased }
        logger.debug(
            "reconciled",
            metadata: [
                "anchors": "\(scanned.anchors.count)", "findings": "\(findings.count)",
                "requests": "\(scanned.requests)", "refusals": "\(scanned.refusals)",
            ])
        return ReconciliationReport(
            registry: registry, chainID: chainID, deploymentBlock: deployment, scannedTo: head, attesters: attesters,
            anchors: scanned.anchors.count, fillerLeaves: fillerLeaves, findings: findings, foreignAnchors: foreign,
            tombstones: tombstones,
            logRequests: scanned.requests, logRefusals: scanned.refusals)
    }

    private func missingLeaves(batchID: Int64, realLeaves: Int) async throws -> [Int] {
        let present = try await database.withConnection { connection in
            // Erased rows have no position any more (it would point at their leaf in a mate's proof).
            Set(
                try connection.query("SELECT leaf_index FROM attestation WHERE batch_id = \(batchID)").rows
                    .compactMap { try $0.decode(Int?.self, "leaf_index") })
        }
        return (0..<max(0, realLeaves)).filter { !present.contains($0) }
    }

    /// The stored deployment block when its hash still matches the chain;
    /// otherwise found again (binary search) and stored.
    func deploymentBlock(scan: RegistryLogScan, head: UInt64) async throws -> UInt64 {
        let (chain, contract) = (Int64(chainID), registry.lowercased)
        let stored = try await database.withConnection { connection -> (Int64, String)? in
            guard
                let row = try connection.query(
                    """
                    SELECT deployment_block, block_hash FROM attestation_registry_deployment
                    WHERE chain_id = \(chain) AND contract_address = \(contract)
                    """
                ).rows.first
            else { return nil }
            return (try row.decode(Int64.self, "deployment_block"), try row.decode(String.self, "block_hash"))
        }
        if let stored, stored.0 >= 0, UInt64(stored.0) <= head,
            let header = try? await ethereum.block(.number(UInt64(stored.0))),
            Hex.encodePrefixed(header.hash) == stored.1
        {
            return UInt64(stored.0)
        }
        let found = try await scan.deploymentBlock(head: head)
        guard let header = try? await ethereum.block(.number(found)) else {
            throw VerifierError(.rpc, "the node did not return block \(found)")
        }
        let (block, hash) = (Int64(found), Hex.encodePrefixed(header.hash))
        do {
            try await database.query(
                """
                INSERT INTO attestation_registry_deployment (chain_id, contract_address, deployment_block, block_hash)
                VALUES (\(chain), \(contract), \(block), \(hash))
                ON CONFLICT (chain_id, contract_address)
                DO UPDATE SET deployment_block = EXCLUDED.deployment_block, block_hash = EXCLUDED.block_hash, found_at \
                = now()
                """)
        } catch {
            // A read-only auditor role cannot store it: found again next time.
            logger.warning("could not store the registry's deployment block", metadata: ["block": "\(found)"])
        }
        return found
    }

    /// Our batches on this chain and contract, by lowercase root, each with
    /// its rows and its erased rows counted (both from indexes: 0018).
    static func storedBatches(
        chainID: Int64, contract: String, on connection: PostgresConnection
    ) throws -> [String: StoredBatch] {
        var batches: [String: StoredBatch] = [:]
        for row in try connection.query(
            """
            SELECT b.id, b.root, b.leaf_count, b.status, b.filler_count,
                   (SELECT count(*) FROM attestation a WHERE a.batch_id = b.id) AS rows_found,
                   (SELECT count(*) FROM attestation a WHERE a.batch_id = b.id AND a.erased_at IS NOT NULL)
                       AS tombstones_found
            FROM attestation_batch b
            WHERE b.chain_id = \(chainID) AND lower(b.contract_address) = \(contract)
            """
        ).rows {
            batches[try row.decode(String.self, "root").lowercased()] = StoredBatch(
                id: try row.decode(Int64.self, "id"), leafCount: try row.decode(Int.self, "leaf_count"),
                status: try row.decode(String.self, "status"), rows: Int(try row.decode(Int64.self, "rows_found")),
                tombstones: Int(try row.decode(Int64.self, "tombstones_found")),
                fillers: try row.decode(Int.self, "filler_count"))
        }
        return batches
    }

    static func list(_ numbers: [Int]) -> String {
        if numbers.isEmpty { return "none" }
        let shown = numbers.prefix(20).map(String.init).joined(separator: ", ")
        return numbers.count > 20 ? shown + ", ... (\(numbers.count) in all)" : shown
    }
}
