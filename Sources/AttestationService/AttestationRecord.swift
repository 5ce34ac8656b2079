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

    /// The names `columns` selects, in its order.
    static let columnNames = [
        "id", "case_id", "version", "counsellor_id", "status", "schema_version", "content_hash", "salt",
        "attested_document", "erased_at", "legacy", "batch_id", "leaf_index", "leaf", "proof", "chain_id",
        "contract_address", "tx_hash", "block_number", "block_hash", "confirmations", "attested_at", "attempts",
        "last_error", "requested_by", "requested_at", "updated_at",
    ]

    /// `columns` with the attested document and the proof left unread
    /// (NULL): for answers that show neither (the API's, the intake's
    /// outcome), which would otherwise read ~3 KB per row (the bytea as hex,
    /// the jsonb as text) only to drop it. Same names and order as `columns`.
    static let columnsWithoutDocumentOrProof: StaticString = """
        id, case_id, version, counsellor_id, status, schema_version, content_hash, salt, \
        NULL::bytea AS attested_document, erased_at, legacy, batch_id, leaf_index, leaf, NULL::text AS proof, \
        chain_id, contract_address, tx_hash, block_number, block_hash, confirmations, attested_at, attempts, \
        last_error, requested_by, requested_at, updated_at
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
        try self.init(row: row, columns: Columns(row))
    }

    /// Where `columns`' names are in one result: looked up once for a page
    /// of rows (`verify`), not once per cell.
    struct Columns: Equatable {
        let id, caseID, version, counsellorID, status, schemaVersion, contentHash, salt, attestedDocument: Int
        let erasedAt, legacy, batchID, leafIndex, leaf, proof, chainID, contractAddress, txHash: Int
        let blockNumber, blockHash, confirmations, attestedAt, attempts, lastError, requestedBy: Int
        let requestedAt, updatedAt: Int

        /// `columns` selected in their order from position `first` on: a
        /// statement of known shape (the intake's peek) skips the name
        /// lookups (a hash of each name, per row).
        init(consecutiveFrom first: Int) {
            (id, caseID, version, counsellorID) = (first, first + 1, first + 2, first + 3)
            (status, schemaVersion, contentHash, salt) = (first + 4, first + 5, first + 6, first + 7)
            (attestedDocument, erasedAt, legacy, batchID) = (first + 8, first + 9, first + 10, first + 11)
            (leafIndex, leaf, proof, chainID) = (first + 12, first + 13, first + 14, first + 15)
            (contractAddress, txHash, blockNumber, blockHash) = (first + 16, first + 17, first + 18, first + 19)
            (confirmations, attestedAt, attempts, lastError) = (first + 20, first + 21, first + 22, first + 23)
            (requestedBy, requestedAt, updatedAt) = (first + 24, first + 25, first + 26)
        }

        init(_ row: PostgresRow) throws {
            (id, caseID, version) = (
                try row.index(of: "id"), try row.index(of: "case_id"), try row.index(of: "version")
            )
            (counsellorID, status) = (try row.index(of: "counsellor_id"), try row.index(of: "status"))
            (schemaVersion, contentHash) = (try row.index(of: "schema_version"), try row.index(of: "content_hash"))
            (salt, attestedDocument) = (try row.index(of: "salt"), try row.index(of: "attested_document"))
            (erasedAt, legacy, batchID) = (
                try row.index(of: "erased_at"), try row.index(of: "legacy"), try row.index(of: "batch_id")
            )
            (leafIndex, leaf, proof) = (
                try row.index(of: "leaf_index"), try row.index(of: "leaf"), try row.index(of: "proof")
            )
            (chainID, contractAddress) = (try row.index(of: "chain_id"), try row.index(of: "contract_address"))
            (txHash, blockNumber) = (try row.index(of: "tx_hash"), try row.index(of: "block_number"))
            (blockHash, confirmations) = (try row.index(of: "block_hash"), try row.index(of: "confirmations"))
            (attestedAt, attempts) = (try row.index(of: "attested_at"), try row.index(of: "attempts"))
            (lastError, requestedBy) = (try row.index(of: "last_error"), try row.index(of: "requested_by"))
            (requestedAt, updatedAt) = (try row.index(of: "requested_at"), try row.index(of: "updated_at"))
        }
    }

    init(row: PostgresRow, columns: Columns) throws {
        id = try row.decode(Int64.self, at: columns.id)
        caseID = try row.decode(Int64.self, at: columns.caseID)
        version = try row.decode(Int.self, at: columns.version)
        counsellorID = try row.decode(Int64?.self, at: columns.counsellorID)
        let statusText = try row.decode(String.self, at: columns.status)
        guard let status = AttestationStatus(rawValue: statusText) else {
            throw PostgresError(.decoding, message: "attestation.status has an unknown value")
        }
        self.status = status
        schemaVersion = try row.decode(String?.self, at: columns.schemaVersion)
        contentHash = try row.decode(String?.self, at: columns.contentHash)
        salt = try row.decode([UInt8]?.self, at: columns.salt)
        attestedDocument = try row.decode([UInt8]?.self, at: columns.attestedDocument)
        erasedAt = try row.decode(Date?.self, at: columns.erasedAt)
        legacy = try row.decode(Bool.self, at: columns.legacy)
        batchID = try row.decode(Int64?.self, at: columns.batchID)
        leafIndex = try row.decode(Int?.self, at: columns.leafIndex)
        leaf = try row.decode(String?.self, at: columns.leaf)
        proof = try row.decode(String?.self, at: columns.proof)
        chainID = try row.decode(Int64?.self, at: columns.chainID)
        contractAddress = try row.decode(String?.self, at: columns.contractAddress)
        txHash = try row.decode(String?.self, at: columns.txHash)
        blockNumber = try row.decode(Int64?.self, at: columns.blockNumber)
        blockHash = try row.decode(String?.self, at: columns.blockHash)
        confirmations = try row.decode(Int?.self, at: columns.confirmations)
        attestedAt = try row.decode(Date?.self, at: columns.attestedAt)
        attempts = try row.decode(Int.self, at: columns.attempts)
        lastError = try row.decode(String?.self, at: columns.lastError)
        requestedBy = try row.decode(String?.self, at: columns.requestedBy)
        requestedAt = try row.decode(Date.self, at: columns.requestedAt)
        updatedAt = try row.decode(Date.self, at: columns.updatedAt)
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
