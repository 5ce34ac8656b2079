import Attestation
import Ethereum
import Foundation
import Postgres

/// Builds portable receipts from stored attestations. Needs only the
/// database: the receipt says what the chain should confirm, the auditor's
/// `verify-receipt` asks the chain.
public struct ReceiptBuilder: Sendable {
    let database: PostgresPool
    /// Only for rows stored before `attested_document` existed: then the
    /// document is rebuilt from the rows.
    let pseudonymKey: PseudonymKey?
    /// Where the receipts' explorer links come from (informational only).
    let profiles: ChainProfiles

    public init(database: PostgresPool, pseudonymKey: PseudonymKey?, profiles: ChainProfiles = .builtIn) {
        self.database = database
        self.pseudonymKey = pseudonymKey
        self.profiles = profiles
    }

    /// The newest confirmed attestation of a case, if any.
    public func latestConfirmedAttestationID(caseID: Int64) async throws -> Int64? {
        try await database.query(
            """
            SELECT id FROM attestation_state WHERE case_id = \(caseID) AND status = 'confirmed'
            ORDER BY version DESC LIMIT 1
            """
        ).rows.first.map { try $0.decode(Int64.self, "id") }
    }

    /// nil when the attestation does not exist or is not confirmed; throws
    /// `.erased` after `forget` and `.inconsistentRow` when the row does not
    /// agree with itself (such a receipt would only fail verification).
    public func receipt(attestationID: Int64) async throws -> PortableReceipt? {
        try await load(attestationID: attestationID)?.receipt
    }

    /// The receipt, recorded in the access log as issued to `recipient`
    /// before it is returned (no receipt leaves without its log entry).
    public func issue(attestationID: Int64, to recipient: ReceiptRecipient) async throws -> PortableReceipt? {
        guard let loaded = try await load(attestationID: attestationID) else { return nil }
        try await ReceiptAccessLog(database: database).record(
            caseID: loaded.caseID, attestationID: attestationID,
            to: recipient)
        return loaded.receipt
    }

    private func load(attestationID: Int64) async throws -> (receipt: PortableReceipt, caseID: Int64)? {
        let loaded = try await database.withConnection { connection -> (VerifierRow, CaseSnapshot?)? in
            guard
                let row = try connection.query(
                    """
                    SELECT a.*, b.root AS batch_root FROM (
                        SELECT \(unescaped: AttestationRecord.columns) FROM \(unescaped: AttestationRecord.view)
                        WHERE id = \(attestationID)) a
                    LEFT JOIN attestation_batch b ON b.id = a.batch_id
                    """
                ).rows.first
            else { return nil }
            let record = try AttestationRecord(row: row)
            let verifierRow = VerifierRow(record: record, batchRoot: try row.decode(String?.self, "batch_root"))
            guard record.attestedDocument == nil else { return (verifierRow, nil) }
            return (verifierRow, try CaseRows.load(ids: [record.caseID], on: connection)[record.caseID])
        }
        guard let (row, snapshot) = loaded, row.record.status == .confirmed else { return nil }
        return (try build(row, snapshot: snapshot), row.record.caseID)
    }

    func build(_ row: VerifierRow, snapshot: CaseSnapshot?) throws -> PortableReceipt {
        let record = row.record
        guard record.erasedAt == nil, let saltBytes = record.salt else {
            throw VerifierError(.erased, "attestation \(record.id) was erased: its salt is destroyed")
        }
        func inconsistent(_ what: String) -> VerifierError {
            VerifierError(.inconsistentRow, "attestation \(record.id): \(what)")
        }
        guard let contentHash = try? ContentHash(hex: record.contentHash ?? "") else {
            throw inconsistent("no valid content_hash")
        }
        let document: JSONValue
        if let bytes = record.attestedDocument {
            guard ContentHash(canonicalBytes: bytes) == contentHash, let parsed = try? JSONValue.parse(bytes) else {
                throw inconsistent("attested_document does not hash to content_hash")
            }
            document = parsed
        } else {
            guard let pseudonymKey, let snapshot, let salt = try? Salt(bytes: saltBytes),
                let schema = CaseDocument.Schema(stored: record.schemaVersion),
                let rebuilt = try? snapshot.document(pseudonymKey: pseudonymKey, salt: salt, schema: schema).json(),
                ContentHash(of: rebuilt) == contentHash
            else { throw inconsistent("no attested_document, and the rows no longer rebuild the attested document") }
            document = rebuilt
        }
        guard let root = try? ContentHash(hex: row.batchRoot ?? "").bytes else { throw inconsistent("no batch root") }
        guard let proof = try? record.proofHashes() else { throw inconsistent("malformed proof") }
        guard let txHash = try? ContentHash(hex: record.txHash ?? "").bytes,
            let blockHash = try? ContentHash(hex: record.blockHash ?? "").bytes,
            let blockNumber = record.blockNumber, blockNumber >= 0,
            let chainID = record.chainID, chainID >= 0,
            let contract = try? Address(hex: (record.contractAddress ?? "").lowercased()),
            let leafIndex = record.leafIndex, let attestedAt = record.attestedAt
        else { throw inconsistent("the anchoring fields are incomplete") }
        return PortableReceipt(
            document: document, contentHash: contentHash, leaf: MerkleTree.leafHash(contentHash), proof: proof,
            root: root, chainID: UInt64(chainID), contract: contract, txHash: txHash, blockNumber: UInt64(blockNumber),
            blockHash: blockHash, leafIndex: leafIndex,
            attestedAt: Timestamp(
                microsecondsSinceEpoch: Int64(attestedAt.timeIntervalSince1970.rounded()) * 1_000_000),
            links: ReceiptLinks(profile: profiles[UInt64(chainID)], txHash: txHash, contract: contract))
    }
}
