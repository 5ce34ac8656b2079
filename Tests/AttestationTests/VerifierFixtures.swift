import Attestation
import Ethereum

/// Small, fixed case documents for the verifier's unit tests.
enum VerifierFixtures {
    static let userHash = String(repeating: "ab", count: 32)

    static func salt(_ byte: UInt8 = 7) -> Salt {
        try! Salt(bytes: [UInt8](repeating: byte, count: 32))
    }

    static func document(
        resolvedAt: Int64 = 1_767_225_600_000_000, appointmentStatus: String = "completed",
        appointments: [Int64] = [12, 13], salt: Salt = salt()
    ) -> CaseDocumentV1 {
        let record = CaseRecord(
            id: 41, userID: 5, counsellorID: 9, status: "resolved", riskLevelAtCreation: 2,
            createdAt: Timestamp(microsecondsSinceEpoch: 1_767_000_000_000_000),
            resolvedAt: Timestamp(microsecondsSinceEpoch: resolvedAt))
        let rows = appointments.map { id in
            AppointmentRecord(
                id: id, scheduledAt: Timestamp(microsecondsSinceEpoch: 1_767_100_000_000_000 + id),
                status: id == 12 ? appointmentStatus : "completed", locationType: "online")
        }
        return CaseDocumentV1(record: record, appointments: rows, userHash: userHash, salt: salt)
    }

    /// A stored attestation of `document` in a batch with three other hashes.
    static func stored(_ document: CaseDocumentV1) throws -> StoredAttestation {
        let bytes = try document.canonicalBytes()
        let hash = ContentHash(canonicalBytes: bytes)
        let others = (1...3).map { ContentHash(canonicalBytes: [UInt8]("other \($0)".utf8)) }
        let tree = try MerkleTree(contentHashes: [hash] + others)
        return StoredAttestation(
            contentHash: hash, attestedDocument: bytes, leaf: try tree.leaf(forValueAt: 0),
            proof: try tree.proof(forValueAt: 0), root: tree.root)
    }
}
