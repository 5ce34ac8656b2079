import Attestation
import Foundation
import Postgres

/// Where an attestation is in the pipeline.
public enum AttestationStatus: String, Sendable, CaseIterable, Codable {
    case requested, committed, batched, signed, submitted, mined, confirmed, failed

    /// Done, one way or the other.
    public var isFinal: Bool { self == .confirmed || self == .failed }
}

/// One row of `attestation`, as the API and the CLI show it.
public struct AttestationRecord: Sendable, Hashable {
    public let id: Int64
    public let caseID: Int64
    public let version: Int
    public let counsellorID: Int64?
    public let status: AttestationStatus
    public let schemaVersion: String?
    public let contentHash: String?
    public let salt: [UInt8]?
    /// The canonical bytes that were hashed; nil before commit and after erasure
    /// (and when a reader left it unread; `verify` reads it only when needed).
    public internal(set) var attestedDocument: [UInt8]?
    public let erasedAt: Date?
    /// Written by the backend before this service existed (marked by migration 0004).
    public let legacy: Bool
    public let batchID: Int64?
    public let leafIndex: Int?
    public let leaf: String?
    /// JSON array text of 0x-prefixed siblings.
    public let proof: String?
    public let chainID: Int64?
    public let contractAddress: String?
    public let txHash: String?
    public let blockNumber: Int64?
    public let blockHash: String?
    public let confirmations: Int?
    public let attestedAt: Date?
    public let attempts: Int
    public let lastError: String?
    public let requestedBy: String?
    public let requestedAt: Date
    public let updatedAt: Date

    /// Where readers take rows from (migration 0011): the table's columns,
    /// with the state of a row's batch and transaction while it is in flight
    /// (its own row says `batched` from batching until it is confirmed).
    static let view: StaticString = "attestation_state"

    static let columns: StaticString = """
        id, case_id, version, counsellor_id, status, schema_version, content_hash, salt, attested_document, erased_at, \
        legacy, batch_id,
        leaf_index, leaf, proof::text AS proof, chain_id, contract_address, tx_hash, block_number, block_hash,
        confirmations, attested_at, attempts, last_error, requested_by, requested_at, updated_at
        """

    /// `columns` of the view as `a`, the document left unread (NULL) and its
    /// SHA-256 read instead as `attested_document_hash`: `verify`'s pages.
    static let columnsWithoutDocument: StaticString = """
        a.id, a.case_id, a.version, a.counsellor_id, a.status, a.schema_version, a.content_hash, a.salt, \
        NULL::bytea AS attested_document, sha256(a.attested_document) AS attested_document_hash, a.erased_at, \
        a.legacy, a.batch_id, a.leaf_index, a.leaf, a.proof::text AS proof, a.chain_id, a.contract_address, \
        a.tx_hash, a.block_number, a.block_hash, a.confirmations, a.attested_at, a.attempts, a.last_error, \
        a.requested_by, a.requested_at, a.updated_at
        """

    init(row: PostgresRow) throws {
        id = try row.decode(Int64.self, "id")
        caseID = try row.decode(Int64.self, "case_id")
        version = try row.decode(Int.self, "version")
        counsellorID = try row.decode(Int64?.self, "counsellor_id")
        let statusText = try row.decode(String.self, "status")
        guard let status = AttestationStatus(rawValue: statusText) else {
            throw PostgresError(.decoding, message: "attestation.status has an unknown value")
        }
        self.status = status
        schemaVersion = try row.decode(String?.self, "schema_version")
        contentHash = try row.decode(String?.self, "content_hash")
        salt = try row.decode([UInt8]?.self, "salt")
        attestedDocument = try row.decode([UInt8]?.self, "attested_document")
        erasedAt = try row.decode(Date?.self, "erased_at")
        legacy = try row.decode(Bool.self, "legacy")
        batchID = try row.decode(Int64?.self, "batch_id")
        leafIndex = try row.decode(Int?.self, "leaf_index")
        leaf = try row.decode(String?.self, "leaf")
        proof = try row.decode(String?.self, "proof")
        chainID = try row.decode(Int64?.self, "chain_id")
        contractAddress = try row.decode(String?.self, "contract_address")
        txHash = try row.decode(String?.self, "tx_hash")
        blockNumber = try row.decode(Int64?.self, "block_number")
        blockHash = try row.decode(String?.self, "block_hash")
        confirmations = try row.decode(Int?.self, "confirmations")
        attestedAt = try row.decode(Date?.self, "attested_at")
        attempts = try row.decode(Int.self, "attempts")
        lastError = try row.decode(String?.self, "last_error")
        requestedBy = try row.decode(String?.self, "requested_by")
        requestedAt = try row.decode(Date.self, "requested_at")
        updatedAt = try row.decode(Date.self, "updated_at")
    }

    /// The proof's siblings as bytes.
    public func proofHashes() throws -> [[UInt8]] {
        if let proof, let siblings = try ProofText.siblings(proof) { return siblings }
        guard let proof, let data = proof.data(using: .utf8),
            let strings = try JSONSerialization.jsonObject(with: data) as? [String]
        else { return [] }
        return try strings.map { try ContentHash(hex: $0).bytes }
    }
}
